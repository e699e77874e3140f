/**
 * The platform-neutral reply every handler returns. Each chat adapter renders it in its own
 * format (console text, Slack Block Kit, DingTalk markdown/actionCard).
 */
export type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'fields'; fields: Array<{ label: string; value: string }> }
  | {
      kind: 'table';
      columns: string[];
      rows: string[][];
      /**
       * What happens when the table is wider than the chat: `list` (default) shows each row as a
       * list, nothing lost; `cut` shortens the widest cells with `…` (summaries, help).
       */
      overflow?: 'list' | 'cut';
    }
  | { kind: 'context'; text: string }
  | { kind: 'actions'; actions: Action[] }
  | { kind: 'links'; links: Link[] }
  | PromptBlock;

/** A labelled link: Slack shows `<url|title>`, DingTalk `[title](url)`, the console `title: url`. */
export interface Link {
  title: string;
  url: string;
}

/**
 * A command that needs free text from the person: `command` followed by their text (one quoted
 * word). Chats that can collect text ask `question` behind a button labelled `label` (Slack: a
 * form); the others show it as guidance to type: `label: command <placeholder>`.
 *
 * @example { kind: 'prompt', label: 'Resolution', question: 'How was it resolved?', command: 'kb note 0a1b2c3d4e5f6071', placeholder: 'how it was resolved' }
 */
export interface PromptBlock {
  kind: 'prompt';
  label: string;
  question: string;
  command: string;
  placeholder: string;
}

/** The guidance line for a prompt where no text can be collected: `label: command <placeholder>`. */
export function promptGuidance(p: PromptBlock, placeholder = `<${p.placeholder}>`): string {
  return `${p.label}: ${p.command} ${placeholder}`;
}

/** A button. `command` is the chat command it runs, authorised like a typed one. */
export interface Action {
  label: string;
  command: string;
  style?: 'primary' | 'danger';
  /**
   * What pressing it will do, asked before it runs where the chat can ask (Slack's confirmation
   * dialog) and shown next to the button elsewhere.
   */
  confirm?: string;
}

export interface Reply {
  blocks: Block[];
  /** Set when the reply reports a failure or refusal, so adapters can style it. */
  error?: boolean;
}

export const reply = (...blocks: Block[]): Reply => ({ blocks });
export const textReply = (text: string): Reply => ({ blocks: [{ kind: 'text', text }] });
export const errorReply = (text: string): Reply => ({ blocks: [{ kind: 'text', text }], error: true });

/**
 * Renders a table as aligned monospace text (console, and inside code blocks elsewhere), at most
 * `maxWidth` columns wide: the widest cells are cut with `…` until the lines fit.
 */
export function alignTable(columns: string[], rows: string[][], maxWidth = Infinity): string {
  const fitted = fitTable(columns, rows, maxWidth);
  return alignCells(fitted.columns, fitted.rows);
}

/**
 * A table as text within `maxWidth` columns: aligned when it fits; when it does not, with
 * `overflow: 'cut'` the widest cells are cut with `…` until it fits, and otherwise (or when even
 * cutting cannot make it fit) each row becomes a list — its first cell, then `column: value`
 * lines — so nothing is lost.
 */
export function tableText(columns: string[], rows: string[][], maxWidth: number, overflow: 'list' | 'cut' = 'list'): string {
  const fits = (text: string) => text.split('\n').every((l) => width(l) <= maxWidth);
  const whole = alignTable(columns, rows);
  if (fits(whole)) return whole;
  if (overflow === 'cut') {
    const aligned = alignTable(columns, rows, maxWidth);
    if (fits(aligned)) return aligned;
  }
  return rows
    .map((r) =>
      [
        `• ${r[0] ?? ''}`,
        ...columns.slice(1).flatMap((c, i) => {
          const v = (r[i + 1] ?? '').replace(/\s*\n\s*/g, ' ');
          return v ? [`  ${c}: ${v}`] : [];
        }),
      ].join('\n'),
    )
    .join('\n');
}

const GAP = 2;
/** Narrowest a column is cut to before the table gives up fitting. */
const MIN_COLUMN = 6;

/**
 * Cuts cells so that an aligned table fits `maxWidth` columns: the widest column shrinks first,
 * down to `MIN_COLUMN`. Cells are one line (newlines become spaces).
 */
export function fitTable(columns: string[], rows: string[][], maxWidth: number): { columns: string[]; rows: string[][] } {
  const flat = (s: string) => s.replace(/\s*\n\s*/g, ' ');
  const cols = columns.map(flat);
  const body = rows.map((r) => cols.map((_, i) => flat(r[i] ?? '')));
  const widths = cols.map((c, i) => Math.max(width(c), ...body.map((r) => width(r[i] ?? ''))));
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP * Math.max(0, widths.length - 1);
  while (total() > maxWidth) {
    let widest = 0;
    widths.forEach((w, i) => {
      if (w > (widths[widest] ?? 0)) widest = i;
    });
    const w = widths[widest] ?? 0;
    if (w <= MIN_COLUMN) break;
    widths[widest] = Math.max(MIN_COLUMN, w - (total() - maxWidth));
  }
  return { columns: cols.map((c, i) => cut(c, widths[i] ?? 0)), rows: body.map((r) => r.map((c, i) => cut(c, widths[i] ?? 0))) };
}

/** `s` cut to at most `max` display columns, ending in `…` when cut. */
export function cut(s: string, max: number): string {
  if (width(s) <= max) return s;
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = width(ch);
    if (w + cw > max - 1) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

function alignCells(columns: string[], rows: string[][]): string {
  const widths = columns.map((c, i) => Math.max(width(c), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell + ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(cell))))
      .join('  ')
      .trimEnd();
  return [line(columns), ...rows.map(line)].join('\n');
}

/** Display width: CJK and full-width characters take two columns. */
export function width(s: string): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    w +=
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      (cp >= 0x20000 && cp <= 0x3fffd)
        ? 2
        : 1;
  }
  return w;
}
