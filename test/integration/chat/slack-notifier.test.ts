import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSlackNotifier, createSlackNotifierClient } from '../../../alerts/notifiers/slack.ts';
import { RetryableError, type Notification } from '../../../alerts/notifiers/types.ts';
import { TerminalError } from '../../../core/errors.ts';
import { createLogger } from '../../../core/logger.ts';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.ts';
import { testAlert, testNotification } from '../../helpers/notification.ts';

const logger = createLogger('silent');
let fake: FakeSlack;

beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => {
  fake.calls.length = 0;
});

const notifier = () =>
  createSlackNotifier(createSlackNotifierClient({ botToken: 'xoxb-notify', apiUrl: fake.apiUrl, logger }), {
    publicUrl: 'https://firstmate.example',
  });
const dest = { channel: 'C0ALERTS' };

const alert = testAlert;
const notification = (over: Partial<Notification> = {}): Notification =>
  testNotification({
    groupLabels: { alertname: 'DiskFull', namespace: 'prod' },
    firing: [alert()],
    counts: { firing: 1, resolved: 0 },
    ...over,
  });

const blocksJson = (i: number) => JSON.stringify(fake.calls[i]!.params.blocks);

describe('Slack notifier', () => {
  it('posts once, then updates the same message in place', async () => {
    const n = notifier();
    const ref = await n.send(dest, notification());
    expect(ref.channel).toBe('C0ALERTS');
    expect(ref.id).toMatch(/^\d+\.\d{6}$/);
    const again = await n.send(
      dest,
      notification({ status: 'resolved', firing: [], resolved: [alert({ status: 'resolved' })], counts: { firing: 0, resolved: 1 } }),
      ref,
    );
    expect(again).toEqual(ref);
    expect(fake.calls.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.update']);
    expect(fake.calls[1]!.params.ts).toBe(ref.id);
    expect(fake.calls[1]!.params.channel).toBe('C0ALERTS');
    expect(fake.calls[0]!.token).toBe('xoxb-notify');
    expect(fake.calls[0]!.params.text).toBe('[FIRING:1] DiskFull (alertname=DiskFull · namespace=prod)');
    expect(fake.calls[1]!.params.text).toBe('✓ [RESOLVED] DiskFull (alertname=DiskFull · namespace=prod)');
    expect(blocksJson(1)).not.toContain('firstmate:cmd:');
    expect(blocksJson(1)).toContain('firstmate:prompt:');
  });

  it('renders subject, counts, links, ack state, last resolution and the ack/silence buttons', async () => {
    await notifier().send(
      dest,
      notification({
        firing: [alert(), alert({ fingerprint: 'b', annotations: { summary: 'second' } })],
        counts: { firing: 12, resolved: 0 },
        knowledge: [{ title: 'Disk full runbook', url: '/kb/disk-full', id: 'disk-full' }],
        lastResolution: { text: 'expanded the PVC', author: 'bob', at: '2026-10-01' },
      }),
    );
    const blocks = fake.calls[0]!.params.blocks as Array<Record<string, unknown>>;
    const json = JSON.stringify(blocks);
    expect(json).toContain(':red_circle: *[FIRING:12] DiskFull*');
    expect(json).toContain('• *disk almost full* — prod/db-0 on node-1 (10.0.0.7)');
    expect(json).toContain('… and 10 more firing');
    expect(json).toContain('<https://firstmate.example/kb/disk-full|Disk full runbook>');
    expect(json).toContain('*Last time:* expanded the PVC');
    const actions = blocks.find((b) => b.type === 'actions') as { elements: Array<{ value: string; action_id: string }> };
    expect(actions.elements.map((e) => e.value)).toEqual([
      'ack 7f3a',
      'silence alertname=DiskFull namespace=prod 2h "from 7f3a"',
      '{"c":"kb note a1b2c3d4e5f60718","q":"How was it resolved?"}',
    ]);
    expect(new Set(actions.elements.map((e) => e.action_id)).size).toBe(3);

    fake.calls.length = 0;
    await notifier().send(dest, notification({ acked: { by: 'alice', at: '2026-11-26T22:05:00Z' } }));
    const acked = JSON.stringify(fake.calls[0]!.params.blocks);
    expect(acked).toContain(':eyes: acked by alice');
    expect(acked).not.toContain('ack 7f3a');
  });

  it('uses a replacement renderer when given one, for posts and updates', async () => {
    const custom = createSlackNotifier(createSlackNotifierClient({ botToken: 'xoxb-notify', apiUrl: fake.apiUrl, logger }), {
      render: (n) => ({ text: `custom ${n.ref} ${n.status}`, blocks: [] }),
    });
    const ref = await custom.send(dest, notification());
    await custom.send(dest, notification({ status: 'resolved' }), ref);
    expect(fake.calls.map((c) => c.params.text)).toEqual(['custom 7f3a firing', 'custom 7f3a resolved']);
  });

  it('posts anew in the new channel when the destination moved; a #name destination keeps updating', async () => {
    const n = notifier();
    const ref = await n.send(dest, notification());
    const moved = await n.send({ channel: 'C0OTHER' }, notification(), ref);
    expect(moved.channel).toBe('C0OTHER');
    const named = await n.send({ channel: '#alerts' }, notification(), moved);
    expect(named).toEqual(moved);
    expect(fake.calls.map((c) => `${c.method} ${String(c.params.channel)}`)).toEqual([
      'chat.postMessage C0ALERTS',
      'chat.postMessage C0OTHER',
      'chat.update C0OTHER',
    ]);
  });

  it('posts anew when the message to update is gone', async () => {
    const ref = await notifier().send(dest, notification(), { id: '1600000000.000001', channel: 'C0ALERTS' });
    expect(fake.calls.map((c) => c.method)).toEqual(['chat.update', 'chat.postMessage']);
    expect(ref.id).not.toBe('1600000000.000001');
  });

  it('turns HTTP 429 into a RetryableError with the Retry-After delay, without waiting or retrying itself', async () => {
    fake.failNext(1, { status: 429, retryAfterSec: 7 });
    const started = performance.now();
    const err = await notifier()
      .send(dest, notification())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as RetryableError).retryAfterMs).toBe(7000);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(fake.calls).toHaveLength(1);
  });

  it('turns 5xx and network failures into RetryableError, with one attempt each', async () => {
    fake.failNext(1, { status: 503 });
    await expect(notifier().send(dest, notification())).rejects.toBeInstanceOf(RetryableError);
    expect(fake.calls).toHaveLength(1);
    fake.failNext(1, { error: 'ratelimited' });
    await expect(notifier().send(dest, notification())).rejects.toBeInstanceOf(RetryableError);
    const closed = await startFakeSlack();
    const url = closed.apiUrl;
    await closed.close();
    const offline = createSlackNotifier(createSlackNotifierClient({ botToken: 'xoxb-notify', apiUrl: url, logger }));
    await expect(offline.send(dest, notification())).rejects.toBeInstanceOf(RetryableError);
  });

  it('turns permanent Slack errors into TerminalError', async () => {
    for (const code of ['channel_not_found', 'not_in_channel', 'invalid_auth', 'is_archived']) {
      fake.failNext(1, { error: code });
      const err = await notifier()
        .send(dest, notification())
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TerminalError);
      expect((err as Error).message).toContain(code);
    }
    await expect(notifier().send({}, notification())).rejects.toBeInstanceOf(TerminalError);
  });

  it('posts mention and link injection from alert data harmlessly', async () => {
    await notifier().send(
      dest,
      notification({
        groupLabels: { alertname: 'Disk*Full*', namespace: '@here' },
        firing: [
          alert({
            annotations: {
              summary: '<!channel> disk full <@U123>',
              description: '<!here> see <https://evil|click> & <#C999|general> @everyone <!subteam^S1>',
            },
            subject: { namespace: 'prod', pod: '<!everyone>', node: 'node-1' },
            links: { runbook: 'javascript:alert(1)', generator: 'https://prom.example/graph?g0.expr=up>0&x=|y' },
          }),
        ],
        knowledge: [{ title: 'Disk <!channel> full|fix', url: 'https://kb.example/a|b>c' }],
      }),
    );
    const call = fake.calls[0]!;
    const blocks = call.params.blocks as Array<{ type: string; text?: { text: string }; elements?: Array<{ text?: string }> }>;
    expect(blocks[0]!.text!.text).toBe(':red_circle: *[FIRING:1] Disk\u2217Full\u2217*');
    expect(blocks[1]!.elements![0]!.text).toBe('alertname=Disk*Full* · namespace=@\u2060here · ref `7f3a`');
    expect(blocks[2]!.text!.text).toBe(
      '• *&lt;!channel&gt; disk full &lt;@U123&gt;* — prod/&lt;!everyone&gt; on node-1\n' +
        '    &lt;!here&gt; see &lt;https://evil|click&gt; &amp; &lt;#C999|general&gt; @\u2060everyone &lt;!subteam^S1&gt;',
    );
    expect(blocks[3]!.elements![0]!.text).toBe(
      // The javascript: runbook is left out altogether.
      ':book: <https://kb.example/a%7Cb%3Ec|Disk &lt;!channel&gt; full\u2223fix> · ' +
        '<https://prom.example/graph?g0.expr=up%3E0&amp;x=%7Cy|source>',
    );
    expect(call.params.text).toBe('[FIRING:1] Disk*Full* (alertname=Disk*Full* · namespace=@\u2060here)');
    const everything = JSON.stringify(call.params);
    for (const live of ['<!channel>', '<!here>', '<!everyone>', '<@U123>', '<#C999', '<https://evil', '<!subteam'])
      expect(everything).not.toContain(live);
  });
});
