/**
 * The platform-neutral reply every handler returns. Each chat adapter renders it in its own
 * format (console text, Slack Block Kit, DingTalk markdown/actionCard).
 */
export type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'fields'; fields: Array<{ label: string; value: string }> }
  | { kind: 'table'; columns: string[]; rows: string[][] }
  | { kind: 'context'; text: string }
  | { kind: 'actions'; actions: Action[] }
  | PromptBlock;

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
}

export interface Reply {
  blocks: Block[];
  /** Set when the reply reports a failure or refusal, so adapters can style it. */
  error?: boolean;
}

export const reply = (...blocks: Block[]): Reply => ({ blocks });
export const textReply = (text: string): Reply => ({ blocks: [{ kind: 'text', text }] });
export const errorReply = (text: string): Reply => ({ blocks: [{ kind: 'text', text }], error: true });

/** Renders a table as aligned monospace text (console, and inside code blocks elsewhere). */
export function alignTable(columns: string[], rows: string[][]): string {
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
