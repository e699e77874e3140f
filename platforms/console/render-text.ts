import { alignTable, promptGuidance, width, type Reply } from '../../core/reply.ts';

/** Renders a reply as plain terminal text (the console adapter, logs, test output). */
export function renderText(r: Reply): string {
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
        parts.push(b.rows.length === 0 ? '(none)' : alignTable(b.columns, b.rows));
        break;
      case 'actions':
        parts.push(b.actions.map((a) => `[${a.label}: ${a.command}]`).join('  '));
        break;
      case 'prompt':
        parts.push(`  ${promptGuidance(b)}`);
        break;
    }
  }
  return parts.join('\n');
}
