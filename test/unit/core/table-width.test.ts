import { describe, expect, it } from 'vitest';
import { tableText, width } from '../../../core/reply.ts';
import { renderText } from '../../../platforms/console/render-text.ts';
import { renderSlackReply } from '../../../platforms/slack/render.ts';

const rows = [
  ['op-1', 'delete-pod data/kafka-1', 'spec.replicas 3 → 2, spec.reserveOrdinals += 1 '.repeat(3).trim()],
  ['op-2', 'cordon node-7', 'node-7 unschedulable · 节点不可调度'],
];

describe('width-limited tables', () => {
  it('stay aligned when they fit', () => {
    expect(tableText(['id', 'what'], [['op-1', 'cordon']], 100)).toBe('id    what\nop-1  cordon');
  });

  it('become a list when too wide, losing nothing', () => {
    const text = tableText(['id', 'what', 'detail'], rows, 100);
    expect(text.split('\n')[0]).toBe('• op-1');
    expect(text).toContain(`  detail: ${rows[0]![2]}`);
    expect(text).toContain('  what: cordon node-7');
  });

  it('cut the widest cells when asked, within the width, CJK counted as two columns', () => {
    const text = tableText(['id', 'what', 'detail'], rows, 60, 'cut');
    for (const line of text.split('\n')) expect(width(line)).toBeLessThanOrEqual(60);
    expect(text).toContain('…');
    const console = renderText({ blocks: [{ kind: 'table', columns: ['id', 'what', 'detail'], rows, overflow: 'cut' }] });
    for (const line of console.split('\n')) expect(width(line)).toBeLessThanOrEqual(100);
    const slack = renderSlackReply({ blocks: [{ kind: 'table', columns: ['id', 'what', 'detail'], rows, overflow: 'cut' }] })[0]!;
    const code = (slack.blocks[0] as { text: { text: string } }).text.text.split('\n').slice(1, -1);
    for (const line of code) expect(width(line)).toBeLessThanOrEqual(80);
  });
});
