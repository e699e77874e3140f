import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDingTalkNotifier } from '../../../alerts/notifiers/dingtalk.ts';
import { RetryableError, type Notification } from '../../../alerts/notifiers/types.ts';
import type { Alert } from '../../../alerts/model.ts';
import { reply, type Reply } from '../../../core/reply.ts';
import { TerminalError } from '../../../core/errors.ts';
import { startFakeDingTalk, type FakeDingTalk } from '../../helpers/fake-dingtalk.ts';
import { testNotification } from '../../helpers/notification.ts';

const SECRET = 'SEC0123456789abcdef';
const TOKEN = 'robot-token-1';

/** A plain rendering of a notification, shaped like the pipeline's (heading, fields, buttons). */
function render(n: Notification): Reply {
  const first = n.firing[0];
  return reply(
    { kind: 'heading', text: `[${n.status.toUpperCase()}:${n.counts.firing}] ${n.groupLabels.alertname ?? n.groupKey}` },
    {
      kind: 'fields',
      fields: [
        { label: 'summary', value: String(first?.annotations.summary ?? '') },
        { label: 'ref', value: n.ref },
      ],
    },
    { kind: 'actions', actions: [{ label: 'Ack', command: `ack ${n.ref}`, style: 'primary' }] },
  );
}

function notification(over: Partial<Notification> = {}): Notification {
  const alert = { annotations: { summary: 'disk full on node-3 @all @所有人 [runbook](http://evil.example/x)' } } as unknown as Alert;
  return testNotification({
    id: 'n1',
    receiver: 'ops-dingtalk',
    groupKey: 'g1',
    incidentId: 'inc-1',
    groupLabels: { alertname: 'NodeDiskFull' },
    firing: [alert],
    counts: { firing: 2, resolved: 0 },
    decidedAt: new Date().toISOString(),
    ...over,
  });
}

let fake: FakeDingTalk;
const dest = { accessToken: TOKEN, secret: SECRET };
beforeAll(async () => {
  fake = await startFakeDingTalk({ robotSecret: SECRET, robotToken: TOKEN });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.state.robotPosts.length = 0;
  fake.state.robotScript.length = 0;
});

const notifier = () => createDingTalkNotifier({ robotUrl: fake.robotUrl, render, timeoutMs: 2000 });

describe('DingTalk custom-robot notifier', () => {
  it('posts a signed actionCard the robot accepts, with buttons that send the command', async () => {
    const ref = await notifier().send(dest, notification());
    expect(ref.channel).toMatch(/^robot:[0-9a-f]{12}$/);
    expect(ref.channel).not.toContain(TOKEN);
    const [post] = fake.state.robotPosts;
    expect(post!.query.get('access_token')).toBe(TOKEN);
    expect(post!.query.get('sign')).toBeTruthy();
    const card = post!.body.actionCard as { title: string; text: string; btns: Array<{ title: string; actionURL: string }> };
    expect(post!.body.msgtype).toBe('actionCard');
    expect(card.title).toBe('[FIRING:2] NodeDiskFull');
    expect(card.btns).toEqual([{ title: 'Ack', actionURL: 'dtmd://dingtalkclient/sendMessage?content=ack%207f3a' }]);
    // Alert text cannot ping the group or smuggle a link.
    expect(card.text).toContain('＠all ＠所有人 runbook (http://evil.example/x)');
    expect(card.text).not.toMatch(/@all|@所有人|\]\(/);
    expect(post!.body.at).toBeUndefined();
  });

  it('mentions the configured people on a new incident in a markdown message, the type whose @mentions notify', async () => {
    await notifier().send({ ...dest, atMobiles: ['13800138000'] }, notification());
    const body = fake.state.robotPosts[0]!.body;
    expect(body.msgtype).toBe('markdown');
    expect(body.at).toEqual({ atMobiles: ['13800138000'], isAtAll: false });
    const text = (body.markdown as { text: string }).text;
    expect(text.endsWith('@13800138000')).toBe(true);
    expect(text).toContain('[Ack](dtmd://dingtalkclient/sendMessage?content=ack%207f3a)');
  });

  it('follows up instead of editing when there is a previous message', async () => {
    const n = notifier();
    const first = await n.send(dest, notification());
    const second = await n.send(
      dest,
      notification({ id: 'n2', counts: { firing: 5, resolved: 1 }, acked: { by: 'alice', at: new Date().toISOString() } }),
      first,
    );
    const update = fake.state.robotPosts[1]!.body;
    expect(update.msgtype).toBe('markdown');
    expect((update.markdown as { text: string }).text).toBe(
      'update on 7f3a (NodeDiskFull): 3 more firing (5 now), 1 resolved, acked by alice',
    );
    await n.send(
      dest,
      notification({ id: 'n3', status: 'resolved', counts: { firing: 0, resolved: 6 }, acked: { by: 'alice', at: '' } }),
      second,
    );
    expect((fake.state.robotPosts[2]!.body.markdown as { text: string }).text).toBe(
      'update on 7f3a (NodeDiskFull): resolved: all 6 alerts cleared',
    );
  });

  it('fails terminally when the signature does not match', async () => {
    const err = await notifier()
      .send({ ...dest, secret: 'SECwrong' }, notification())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TerminalError);
    expect((err as Error).message).toContain('310000');
  });

  it('fails terminally on an invalid token or destination', async () => {
    await expect(notifier().send({ accessToken: 'nope', secret: SECRET }, notification())).rejects.toBeInstanceOf(TerminalError);
    await expect(notifier().send({ secret: SECRET }, notification())).rejects.toThrow(/exactly one of accessToken or webhook/);
  });

  it('retries after a minute when sending too fast, and honours Retry-After on 429', async () => {
    fake.state.robotScript.push({ body: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } });
    const throttled = await notifier()
      .send(dest, notification())
      .catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(RetryableError);
    expect((throttled as RetryableError).retryAfterMs).toBe(60_000);
    fake.state.robotScript.push({ status: 429, body: {}, headers: { 'retry-after': '7' } });
    expect(
      await notifier()
        .send(dest, notification())
        .catch((e: unknown) => (e as RetryableError).retryAfterMs),
    ).toBe(7000);
    fake.state.robotScript.push({ status: 503, body: { errcode: -1, errmsg: 'busy' } });
    await expect(notifier().send(dest, notification())).rejects.toBeInstanceOf(RetryableError);
  });

  it('retries when the robot endpoint is unreachable', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const n = createDingTalkNotifier({ robotUrl: `http://127.0.0.1:${port}/robot/send`, render, timeoutMs: 1000 });
    const err = await n.send(dest, notification()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as Error).cause).toBeDefined();
  });
});
