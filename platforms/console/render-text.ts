import { promptGuidance, tableText, width, type Reply } from '../../core/reply.ts';

/** Terminal width replies are fitted to by default. */
export const CONSOLE_WIDTH = 100;

/**
 * Renders a reply as plain terminal text (the console adapter, logs, test output). Tables fit
 * `maxWidth` columns (cells cut, or a list when even that does not fit); links are `title: url`;
 * buttons show the command to type and what it does.
 */
export function renderText(r: Reply, opts: { maxWidth?: number } = {}): string {
  const maxWidth = opts.maxWidth ?? CONSOLE_WIDTH;
  const parts: string[] = [];
  for (const b of r.blocks) {
    switch (b.kind) {
      case 'heading':
        parts.push(`== ${b.text} ==`);
        break;
      case 'text':
        parts.push(r.error ? `✗ ${b.text}` : b.text);
        break;
      case 'context':
        parts.push(`  ${b.text}`);
        break;
      case 'fields': {
        const w = Math.max(0, ...b.fields.map((f) => width(f.label)));
        parts.push(b.fields.map((f) => `${f.label}${' '.repeat(w - width(f.label))}  ${f.value}`).join('\n'));
        break;
      }
      case 'table':
        parts.push(b.rows.length === 0 ? '(none)' : tableText(b.columns, b.rows, maxWidth, b.overflow));
        break;
      case 'links':
        parts.push(b.links.map((l) => `${l.title}: ${l.url}`).join('\n'));
        break;
      case 'actions':
        parts.push(b.actions.map((a) => `[${a.label}: ${a.command}]`).join('  '));
        for (const a of b.actions) if (a.confirm) parts.push(`  ${a.label}: ${a.confirm}`);
        break;
      case 'prompt':
        parts.push(`  ${promptGuidance(b)}`);
        break;
    }
  }
  return parts.join('\n');
}
