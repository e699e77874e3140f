import { describe, expect, it } from 'vitest';
import type { Block, Reply } from '../../../core/reply.ts';
import { stripMentions } from '../../../chat/adapters/slack.ts';
import { slackLink, slackSafe, slackUnescape, truncate } from '../../../platforms/slack/escape.ts';
import { COMMAND_ACTION_PREFIX, renderSlackReply } from '../../../platforms/slack/render.ts';

type AnyBlock = {
  type: string;
  text?: { type: string; text: string };
  fields?: Array<{ text: string }>;
  elements?: Array<{ text?: unknown; value?: string; action_id?: string }>;
};
const render = (...blocks: Block[]) => renderSlackReply({ blocks });
const only = (r: Reply) => {
  const messages = renderSlackReply(r);
  expect(messages).toHaveLength(1);
  return messages[0]!.blocks as AnyBlock[];
};

describe('slackSafe', () => {
  it('escapes &, < and > so no control sequence survives', () => {
    expect(slackSafe('<!channel> <@U1> <#C1|x> <http://a|b> a & b')).toBe(
      '&lt;!channel&gt; &lt;@U1&gt; &lt;#C1|x&gt; &lt;http://a|b&gt; a &amp; b',
    );
  });
  it('breaks bare broadcast words everywhere, plain_text included', () => {
    expect(slackSafe('hi @channel @Here @everyone', 'plain')).toBe('hi @\u2060channel @\u2060Here @\u2060everyone');
    expect(slackSafe('mail@channel.io')).toBe('mail@\u2060channel.io');
  });
  it('replaces the delimiter of the formatting it sits in', () => {
    expect(slackSafe('a*b_c~d`e', 'bold')).toBe('a\u2217b_c~d`e');
    expect(slackSafe('a*b_c', 'italic')).toBe('a*b\u02cdc');
    expect(slackSafe('```x```', 'code')).toBe('\u02cb\u02cb\u02cbx\u02cb\u02cb\u02cb');
  });
  it('drops control characters but keeps newlines and tabs', () => {
    expect(slackSafe('a\u0000b\u001bc\nd\te')).toBe('abc\nd\te');
  });
});

describe('slackLink, slackUnescape, truncate', () => {
  it('links only http(s) URLs and encodes what would end the link', () => {
    expect(slackLink('https://x.example/a|b', 'A <b>|c')).toBe('<https://x.example/a%7Cb|A &lt;b&gt;\u2223c>');
    expect(slackLink('javascript:alert(1)', 'run')).toBe('run (javascript:alert(1))');
    expect(slackLink('not a url')).toBe('not a url');
  });
  it('undoes Slack escaping of typed text and unwraps auto-links', () => {
    expect(slackUnescape('kb &lt;disk&gt; &amp; <https://a.example/x|a.example/x>')).toBe('kb <disk> & https://a.example/x');
  });
  it('strips our own mention wherever it is', () => {
    expect(stripMentions('<@UBOT> host 10.0.0.1', 'UBOT')).toBe('host 10.0.0.1');
    expect(stripMentions('hey <@UBOT|firstmate> whoami', 'UBOT')).toBe('hey whoami');
    expect(stripMentions('<@UBOT> silence <@U2>', 'UBOT')).toBe('silence <@U2>');
  });
  it('truncates without cutting an entity or a surrogate pair', () => {
    expect(truncate('abc &amp; def', 7)).toBe('abc …');
    expect(truncate('😀😀😀', 4)).toBe('😀…');
    expect(truncate('short', 10)).toBe('short');
  });
});

describe('renderSlackReply', () => {
  it('maps headings, text, context and errors to Block Kit with a fallback text', () => {
    const [message] = render({ kind: 'heading', text: 'Node <x>' }, { kind: 'text', text: 'ok & fine' }, { kind: 'context', text: 'ctx' });
    expect(message!.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'Node <x>', emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: 'ok &amp; fine' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'ctx' }] },
    ]);
    expect(message!.text).toBe('== Node &lt;x&gt; ==\nok &amp; fine\n  ctx');
    const err = only({ blocks: [{ kind: 'text', text: 'no' }], error: true });
    expect(err[0]!.text!.text).toBe(':warning: no');
  });

  it('puts fields in sections of at most 10 and cuts headers to 150 characters', () => {
    const fields = Array.from({ length: 13 }, (_, i) => ({ label: `l${i}`, value: `v${i}` }));
    const blocks = only({
      blocks: [
        { kind: 'heading', text: 'h'.repeat(400) },
        { kind: 'fields', fields },
      ],
    });
    expect(blocks[0]!.text!.text.length).toBeLessThanOrEqual(150);
    expect(blocks[1]!.fields).toHaveLength(10);
    expect(blocks[2]!.fields).toHaveLength(3);
    expect(blocks[1]!.fields![0]!.text).toBe('*l0*\nv0');
  });

  it('splits big tables into code blocks under 3000 characters, each with the header, keeping every row and CJK alignment', () => {
    const rows = Array.from({ length: 400 }, (_, i) => [`node-${i}`, '节点'.repeat(i % 3), 'x'.repeat(20)]);
    const blocks = only({ blocks: [{ kind: 'table', columns: ['name', '名称', 'detail'], rows }] });
    expect(blocks.length).toBeGreaterThan(3);
    let lines = 0;
    for (const b of blocks) {
      const text = b.text!.text;
      expect(text.length).toBeLessThanOrEqual(3000);
      expect(text.startsWith('```\n') && text.endsWith('\n```')).toBe(true);
      const inner = text.split('\n').slice(1, -1);
      expect(inner[0]).toBe('name      名称      detail');
      lines += inner.length - 1;
    }
    expect(lines).toBe(400);
    const first = blocks[0]!.text!.text.split('\n');
    expect(first[1]).toBe('name      名称      detail');
    expect(first[3]).toBe('node-1    节点      xxxxxxxxxxxxxxxxxxxx');
  });

  it('keeps code fences in cells from closing the block', () => {
    const blocks = only({ blocks: [{ kind: 'table', columns: ['a'], rows: [['```<!here>']] }] });
    expect(blocks[0]!.text!.text).toBe('```\na\n\u02cb\u02cb\u02cb&lt;!here&gt;\n```');
  });

  it('splits long text under the section limit', () => {
    const blocks = only({
      blocks: [{ kind: 'text', text: Array.from({ length: 300 }, (_, i) => `line ${i} ${'y'.repeat(30)}`).join('\n') }],
    });
    expect(blocks.length).toBeGreaterThan(3);
    for (const b of blocks) expect(b.text!.text.length).toBeLessThanOrEqual(3000);
  });

  it('closes and reopens code blocks when long text is split', () => {
    const code = Array.from({ length: 200 }, (_, i) => `line ${i} ${'z'.repeat(40)}`).join('\n');
    const blocks = only({ blocks: [{ kind: 'text', text: `intro\n\`\`\`\n${code}\n\`\`\`\nafter` }] });
    expect(blocks.length).toBeGreaterThan(2);
    for (const b of blocks) {
      expect(b.text!.text.length).toBeLessThanOrEqual(3000);
      expect(b.text!.text.split('```').length % 2).toBe(1);
    }
    expect(blocks[1]!.text!.text.startsWith('```\n')).toBe(true);
    expect(blocks.at(-1)!.text!.text.endsWith('```\nafter')).toBe(true);
  });

  it('turns actions into buttons carrying the command, 25 per block, unique action ids', () => {
    const actions = Array.from({ length: 30 }, (_, i) => ({
      label: `b${i}`,
      command: `ack r${i}`,
      style: i === 0 ? ('primary' as const) : undefined,
    }));
    const blocks = only({ blocks: [{ kind: 'actions', actions }] });
    expect(blocks.map((b) => b.elements!.length)).toEqual([25, 5]);
    const elements = blocks.flatMap((b) => b.elements!);
    expect(elements[0]).toEqual({
      type: 'button',
      action_id: `${COMMAND_ACTION_PREFIX}0`,
      text: { type: 'plain_text', text: 'b0', emoji: true },
      value: 'ack r0',
      style: 'primary',
    });
    expect(new Set(elements.map((e) => e.action_id)).size).toBe(30);
  });

  it('spreads replies over several messages at 50 blocks each', () => {
    const blocks: Block[] = Array.from({ length: 120 }, (_, i) => ({ kind: 'text', text: `t${i}` }));
    const messages = renderSlackReply({ blocks });
    expect(messages.map((m) => m.blocks.length)).toEqual([50, 50, 20]);
    for (const m of messages) expect(m.text.length).toBeGreaterThan(0);
  });
});
