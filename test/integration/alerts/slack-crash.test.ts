import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../app/config-schema.ts';
import { genericAlert, startHub, waitFor, type Hub } from '../../helpers/alert-hub.ts';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.ts';
import { startWorkerProcess } from '../../helpers/worker-process.ts';

const CHANNEL = 'C0CRASH';

let hub: Hub | undefined;
let slack: FakeSlack | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await hub?.stop();
  hub = undefined;
  await slack?.close();
});

function settings(fake: FakeSlack) {
  return {
    chat: { slack: { mode: 'http' as const, botToken: 'xoxb-crash', signingSecret: 'crash-secret', apiUrl: fake.apiUrl } },
    alerts: {
      route: { receiver: 'slack', group_wait: '50ms', group_interval: '300ms', repeat_interval: '1h', group_by: ['alertname'] },
      receivers: [{ name: 'slack', slack: { channel: CHANNEL } }],
      notify: { concurrency: 4, backoff: '50ms', timeout: '2s', rateLimits: { slack: { max: 100, per: '1s' } } },
    },
  };
}

const incidentOf = (m: { metadata?: { event_payload: Record<string, unknown> } }) => String(m.metadata?.event_payload.incident);
const markers = async (h: Hub) => (await h.deps.redis.keys(`${h.deps.config.redis.prefix}:msgtry:*`)).length;

describe('Slack first posts across a crash', () => {
  it('SIGKILL after Slack took the post but before its answer: the restarted worker adopts the message, later notifications update it', async () => {
    slack = await startFakeSlack();
    const s = settings(slack);
    hub = await startHub({ chat: s.chat, alerts: { ...s.alerts, workers: { enabled: false } } });
    const shared: ConfigInput = {
      log: { level: 'silent' },
      chat: s.chat,
      redis: { url: hub.deps.redisEndpoint.url, prefix: hub.deps.config.redis.prefix, embedded: false },
      alerts: { ...s.alerts, workers: { lockDuration: '2s', stalledInterval: '500ms', sampleEvery: '0' } },
    };
    const first = await startWorkerProcess(shared);
    children.push(first);
    const names = ['SlackCrash0', 'SlackCrash1', 'SlackCrash2'];
    slack.delayNext('chat.postMessage', 60_000, names.length);
    for (const n of names) expect((await hub.post('/webhooks/generic', genericAlert(n, { i: n }))).status).toBe(202);
    await waitFor(() => slack!.messages(CHANNEL).length >= names.length, 'Slack to hold every first post');
    expect(await markers(hub)).toBe(names.length);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    children.push(await startWorkerProcess(shared));
    await waitFor(async () => (await markers(hub!)) === 0, 'the restarted worker to adopt every message', 15_000);
    const posted = slack.messages(CHANNEL).map((m) => ({ ts: m.ts, seq: Number(m.metadata?.event_payload.seq) }));
    expect(posted).toHaveLength(names.length);
    expect(new Set(slack.messages(CHANNEL).map(incidentOf)).size).toBe(names.length);
    expect(slack.callsTo('conversations.history').length).toBeGreaterThanOrEqual(names.length);

    // A second alert in each group: the incident's next notification updates the adopted message.
    for (const n of names) expect((await hub.post('/webhooks/generic', genericAlert(n, { i: `${n}-b` }))).status).toBe(202);
    const updates = await slack.waitFor('chat.update', names.length, 10_000);
    await hub.quiet();
    expect(slack.callsTo('chat.postMessage')).toHaveLength(names.length);
    expect(slack.messages(CHANNEL)).toHaveLength(names.length);
    expect(new Set(updates.map((u) => u.params.ts))).toEqual(new Set(posted.map((m) => m.ts)));
    // Each message now shows a later notification of its incident.
    for (const m of slack.messages(CHANNEL))
      expect(Number(m.metadata?.event_payload.seq)).toBeGreaterThan(posted.find((p) => p.ts === m.ts)!.seq);
  }, 40_000);

  it('a first post whose answer times out: the retry adopts the message Slack took', async () => {
    slack = await startFakeSlack();
    const s = settings(slack);
    hub = await startHub({ chat: s.chat, alerts: { ...s.alerts, notify: { ...s.alerts.notify, timeout: '500ms' } } });
    slack.delayNext('chat.postMessage', 3000);
    expect((await hub.post('/webhooks/generic', genericAlert('SlowAnswer'))).status).toBe(202);
    await waitFor(async () => slack!.callsTo('conversations.history').length === 1 && (await markers(hub!)) === 0, 'the adopted message');
    await hub.nextDecision((e) => !e.notify);
    expect(slack.calls.map((c) => c.method)).toEqual(['chat.postMessage', 'conversations.history']);
    expect(slack.messages(CHANNEL)).toHaveLength(1);
  });

  it('a first post that never reached Slack: the retry finds nothing in the history and posts once', async () => {
    slack = await startFakeSlack();
    const s = settings(slack);
    hub = await startHub({ chat: s.chat, alerts: s.alerts });
    slack.failNext(1, { status: 503 });
    expect((await hub.post('/webhooks/generic', genericAlert('NeverReached'))).status).toBe(202);
    await waitFor(async () => slack!.messages(CHANNEL).length === 1 && (await markers(hub!)) === 0, 'the retried post');
    await hub.nextDecision((e) => !e.notify);
    expect(slack.calls.map((c) => c.method)).toEqual(['chat.postMessage', 'conversations.history', 'chat.postMessage']);
    expect(slack.messages(CHANNEL)).toHaveLength(1);
  });
});
