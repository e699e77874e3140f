import { describe, expect, it } from 'vitest';
import { robotUrl, signRobotRequest } from '../../../alerts/notifiers/dingtalk.ts';
import { commandUrl, neutralizeDingTalk, renderDingTalk } from '../../../platforms/dingtalk/render.ts';
import { stripMention } from '../../../chat/adapters/dingtalk.ts';
import { errorReply, reply } from '../../../core/reply.ts';

describe('neutralizeDingTalk', () => {
  it.each([
    ['@all please look', '＠all please look'],
    ['hey @ALL and @所有人', 'hey ＠ALL and ＠所有人'],
    ['call @13800138000 or @+86-138-0013-8000', 'call ＠13800138000 or ＠+86-138-0013-8000'],
    ['[docs](https://example.com/a)', 'docs (https://example.com/a)'],
    ['![img](http://x/y.png)', 'img (http://x/y.png)'],
    ['[](dtmd://dingtalkclient/sendMessage?content=cordon)', 'dtmd:/\u200b/dingtalkclient/sendMessage?content=cordon'],
    ['open dingtalk://dingtalkclient/page', 'open dingtalk:/\u200b/dingtalkclient/page'],
    ['＠all already wide', '＠all already wide'],
    ['mail ops@example.com, pod db-0 @ node-1', 'mail ops@example.com, pod db-0 @ node-1'],
    ['节点 10.0.3.17 上的 pod 重启了', '节点 10.0.3.17 上的 pod 重启了'],
  ])('%s', (input, expected) => {
    expect(neutralizeDingTalk(input)).toBe(expected);
  });
});

describe('renderDingTalk', () => {
  const r = reply(
    { kind: 'heading', text: 'node-3 @all' },
    {
      kind: 'fields',
      fields: [
        { label: 'zone', value: 'cn-hangzhou-a' },
        { label: '磁盘', value: 'ssd' },
      ],
    },
    {
      kind: 'table',
      columns: ['pod', 'ns'],
      rows: [
        ['db-0', 'data'],
        ['web-1', ''],
      ],
    },
    { kind: 'context', text: 'updated 2m ago\nby firstmate' },
  );

  it('renders markdown with a neutralised title and body', () => {
    const m = renderDingTalk(r);
    expect(m).toEqual({
      msgtype: 'markdown',
      markdown: {
        title: 'node-3 ＠all',
        text: '#### node-3 ＠all\n\n- **zone**: cn-hangzhou-a\n- **磁盘**: ssd\n\n**pod · ns**\n- db-0 · data\n- web-1 · -\n\n> updated 2m ago  \n> by firstmate',
      },
    });
  });

  it('mentions the given users at the end, never everyone', () => {
    const m = renderDingTalk(r, { atUserIds: ['0123456'] });
    expect(m.msgtype === 'markdown' && m.markdown.text.endsWith('\n\n@0123456')).toBe(true);
    expect(m.msgtype === 'markdown' && m.at).toEqual({ atUserIds: ['0123456'], isAtAll: false });
  });

  it('becomes an actionCard whose buttons send their commands', () => {
    const m = renderDingTalk(
      reply(
        { kind: 'text', text: 'delete db-0?' },
        {
          kind: 'actions',
          actions: [
            { label: 'Confirm', command: 'confirm K7 确认', style: 'danger' },
            { label: 'Cancel', command: 'cancel K7' },
          ],
        },
      ),
    );
    expect(m.msgtype).toBe('actionCard');
    if (m.msgtype !== 'actionCard') return;
    expect(m.actionCard.btnOrientation).toBe('1');
    expect(m.actionCard.btns[0]).toEqual({
      title: 'Confirm',
      actionURL: 'dtmd://dingtalkclient/sendMessage?content=confirm%20K7%20%E7%A1%AE%E8%AE%A4',
    });
    expect(m.actionCard.title).toBe('delete db-0?');
  });

  it('marks errors and shortens long titles', () => {
    const m = renderDingTalk(errorReply(`x${'y'.repeat(100)}`));
    expect(m.msgtype === 'markdown' && m.markdown.text.startsWith('**✗** xyy')).toBe(true);
    expect(m.msgtype === 'markdown' && [...m.markdown.title].length).toBe(60);
  });

  it('cuts very long answers under 20,000 bytes but keeps the mention', () => {
    const rows = Array.from({ length: 2000 }, (_, i) => [`pod-${i}`, '命名空间', 'Running']);
    const m = renderDingTalk(reply({ kind: 'table', columns: ['pod', 'ns', 'phase'], rows }), { atUserIds: ['u1'] });
    const text = m.msgtype === 'markdown' ? m.markdown.text : '';
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(20_000);
    expect(Buffer.byteLength(text)).toBeGreaterThan(19_000);
    expect(text).toContain('… (cut: the answer was too long for DingTalk');
    expect(text.endsWith('\n\n@u1')).toBe(true);
    expect(text).not.toContain('\ufffd');
  });

  it('escapes <placeholders>, breaks lines so they render, and cuts titles with an ellipsis', () => {
    const m = renderDingTalk(
      reply(
        { kind: 'heading', text: `usage ${'x'.repeat(80)}` },
        { kind: 'text', text: 'usage: `kb note <ref> <text>`\nsecond line\n\nnew paragraph' },
      ),
    );
    if (m.msgtype !== 'markdown') throw new Error('expected markdown');
    expect(m.markdown.text).toContain('usage: `kb note &lt;ref&gt; &lt;text&gt;`  \nsecond line\n\nnew paragraph');
    expect(m.markdown.text).not.toMatch(/<ref>|<text>/);
    expect([...m.markdown.title]).toHaveLength(60);
    expect(m.markdown.title.endsWith('…')).toBe(true);
  });

  it('renders links as [title](url), and unsafe ones as text', () => {
    const m = renderDingTalk(
      reply({
        kind: 'links',
        links: [
          { title: 'Disk [full]', url: 'http://127.0.0.1:9090/kb/disk full' },
          { title: 'bad', url: 'dtmd://dingtalkclient/sendMessage?content=drain' },
        ],
      }),
    );
    if (m.msgtype !== 'markdown') throw new Error('expected markdown');
    expect(m.markdown.text).toBe(
      '[Disk full](http://127.0.0.1:9090/kb/disk%20full) · bad (dtmd:/\u200b/dingtalkclient/sendMessage?content=drain)',
    );
  });

  it('sends a reply that @mentions someone as markdown, since actionCards do not notify, keeping its buttons as links', () => {
    const m = renderDingTalk(
      reply({ kind: 'text', text: 'incident' }, { kind: 'actions', actions: [{ label: 'Ack', command: 'ack 7f3a' }] }),
      {
        atMobiles: ['13800138000'],
      },
    );
    expect(m.msgtype).toBe('markdown');
    if (m.msgtype !== 'markdown') return;
    expect(m.markdown.text).toBe('incident\n\n[Ack](dtmd://dingtalkclient/sendMessage?content=ack%207f3a)\n\n@13800138000');
    expect(m.msgtype === 'markdown' && m.at).toEqual({ atMobiles: ['13800138000'], isAtAll: false });
  });

  it('encodes commands for button URLs', () => {
    expect(commandUrl('ack 7f3a')).toBe('dtmd://dingtalkclient/sendMessage?content=ack%207f3a');
  });
});

describe('stripMention', () => {
  it.each([
    [' @firstmate host 10.0.0.1', 'host 10.0.0.1'],
    ['@Firstmate\u3000查询 node-1', '查询 node-1'],
    ['@firstmate @firstmate help', 'help'],
    ['  whoami ', 'whoami'],
    ['host @firstmate', 'host @firstmate'],
  ])('%j', (input, expected) => {
    expect(stripMention(input, 'firstmate')).toBe(expected);
  });
});

describe('custom robot signing', () => {
  it('matches the documented HMAC-SHA256 of "timestamp\\nsecret"', () => {
    expect(signRobotRequest('SECabc', 1700000000000)).toEqual({
      timestamp: '1700000000000',
      sign: 'jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM=',
    });
  });

  it('puts token, timestamp and the url-encoded sign on the webhook', () => {
    const url = robotUrl(
      'https://oapi.dingtalk.com/robot/send',
      { accessToken: 'tok', secret: 'SECabc', atMobiles: [], atUserIds: [] },
      1700000000000,
    );
    expect(url).toBe(
      'https://oapi.dingtalk.com/robot/send?access_token=tok&timestamp=1700000000000&sign=jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM%3D',
    );
    expect(
      robotUrl('https://x/robot/send', { webhook: 'https://oapi.dingtalk.com/robot/send?access_token=abc', atMobiles: [], atUserIds: [] }),
    ).toBe('https://oapi.dingtalk.com/robot/send?access_token=abc');
  });
});
