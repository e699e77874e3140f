import { afterEach, describe, expect, it } from 'vitest';
import { createRouting } from '../../../alerts/routing.ts';
import { refCandidates } from '../../../alerts/pipeline/flush.ts';
import { alertFromGeneric, type GenericAlert } from '../../../alerts/sources/generic.ts';
import type { MessageRef, Notification, Notifier } from '../../../alerts/notifiers/types.ts';
import { genericAlert, startHub, waitFor, sleep, type Hub } from '../../helpers/alert-hub.ts';
import { startFakeWebhook } from '../../helpers/fake-webhook.ts';

let hub: Hub | undefined;
let hook: Awaited<ReturnType<typeof startFakeWebhook>> | undefined;
afterEach(async () => {
  await hub?.stop();
  await hook?.close();
  hub = undefined;
  hook = undefined;
});

const groupsOpen = (h: Hub) => h.deps.redis.scard(`${h.deps.config.redis.prefix}:groups`);

describe('Alertmanager semantics', () => {
  it('logs per destination after delivery: a failed delivery is sent again at the next group_interval, the other destination is not', async () => {
    hook = await startFakeWebhook((n) => (n === 0 ? { status: 404 } : { status: 200 }));
    hub = await startHub({
      alerts: {
        route: { receiver: 'both', group_wait: '50ms', group_interval: '500ms', repeat_interval: '1h', group_by: ['alertname'] },
        receivers: [{ name: 'both', console: true, webhook: { url: hook.url } }],
        notify: { backoff: '50ms', attempts: 3 },
      },
    });
    await hub.post('/webhooks/generic', genericAlert('DiskFull', { node: 'n1' }));
    const failed = await waitFor(async () => (await hub!.deps.alerts.incidents.failed())[0], 'the failed delivery');
    expect(failed.kind).toBe('webhook');
    const retried = await waitFor(() => hook!.ok()[0], 'the webhook delivery at the next group_interval', 5000);
    expect(retried.at - hook.hits[0]!.at).toBeGreaterThanOrEqual(400);
    expect(retried.body.action).toBe('create');
    expect(retried.body.notification.incidentId).toBe(hook.hits[0]!.body.notification.incidentId);
    // The console destination was told the first time; its log says so and it hears nothing more.
    const after = await hub.nextDecision((e) => e.destinations.every((d) => !d.notify));
    expect(after.destinations.map((d) => d.reason).sort()).toEqual(['unchanged', 'unchanged']);
    expect(hub.sent.length).toBe(1);
    expect(hook.hits.length).toBe(2);
  });

  it('an alert that started more than group_wait ago flushes a group that has not flushed yet at once', async () => {
    hub = await startHub({ alerts: { route: { receiver: 'console', group_wait: '3s', group_interval: '5s', group_by: ['alertname'] } } });
    const t0 = Date.now();
    await hub.post('/webhooks/generic', genericAlert('Lag', { i: 'new' }));
    await hub.post('/webhooks/generic', genericAlert('Lag', { i: 'old' }, { startsAt: new Date(t0 - 3_600_000).toISOString() }));
    const first = await waitFor(() => hub!.sent[0], 'the flush brought forward', 2500);
    expect(first.at - t0).toBeLessThan(2000);
    expect(first.notification.counts.firing).toBe(2);
  });

  it('an emptied group keeps its timer: an alert firing again is told at the next tick, not after group_wait', async () => {
    hub = await startHub({
      alerts: { route: { receiver: 'console', group_wait: '3s', group_interval: '400ms', repeat_interval: '1h', group_by: ['alertname'] } },
    });
    const up = genericAlert('Backup', { job: 'db' }, { startsAt: new Date(Date.now() - 3_600_000).toISOString() });
    await hub.post('/webhooks/generic', up);
    await waitFor(() => hub!.sent[0], 'firing');
    await hub.post('/webhooks/generic', genericAlert('Backup', { job: 'db' }, { status: 'resolved' }));
    await waitFor(() => hub!.sent.find((s) => s.notification.status === 'resolved'), 'resolved');
    await waitFor(async () => (await groupsOpen(hub!)) === 0, 'the group emptied');
    const t1 = Date.now();
    await hub.post('/webhooks/generic', genericAlert('Backup', { job: 'db' }));
    const again = await waitFor(() => hub!.sent[2], 'firing again', 5000);
    expect(again.notification.status).toBe('firing');
    expect(again.at - t1).toBeLessThan(1500);
  });

  it('an emptied group is removed after flush.keepEmptyGroup; then a new group waits group_wait again', async () => {
    hub = await startHub({
      alerts: {
        route: { receiver: 'console', group_wait: '1500ms', group_interval: '300ms', repeat_interval: '1h', group_by: ['alertname'] },
        flush: { keepEmptyGroup: '200ms' },
      },
    });
    const old = { startsAt: new Date(Date.now() - 3_600_000).toISOString() };
    await hub.post('/webhooks/generic', genericAlert('Cron', {}, old));
    await waitFor(() => hub!.sent[0], 'firing');
    await hub.post('/webhooks/generic', genericAlert('Cron', {}, { status: 'resolved' }));
    await waitFor(async () => (await hub!.deps.redis.keys(`${hub!.deps.config.redis.prefix}:ag:*`)).length === 0, 'the group removed');
    const t1 = Date.now();
    await hub.post('/webhooks/generic', genericAlert('Cron', {}));
    const again = await waitFor(() => hub!.sent.find((s, i) => i > 0 && s.notification.status === 'firing'), 'firing again', 5000);
    expect(again.at - t1).toBeGreaterThanOrEqual(1400);
  });

  it('flapping damping keeps each alert’s flip history beyond the flush that drops it', async () => {
    hub = await startHub({
      alerts: {
        route: { receiver: 'console', group_wait: '50ms', group_interval: '200ms', repeat_interval: '1h', group_by: ['alertname'] },
        flapping: { threshold: 4, window: '10m' },
      },
    });
    const up = genericAlert('Flappy', { svc: 'x' });
    const down = genericAlert('Flappy', { svc: 'x' }, { status: 'resolved' });
    const sentBefore = () => hub!.sent.length;
    for (let i = 0; i < 2; i++) {
      let n = sentBefore();
      await hub.post('/webhooks/generic', up);
      await waitFor(() => hub!.sent.length > n, `firing ${i}`);
      n = sentBefore();
      await hub.post('/webhooks/generic', down);
      await waitFor(() => hub!.sent.length > n, `resolved ${i}`);
      expect(hub.sent.at(-1)!.notification.status).toBe('resolved');
      await waitFor(async () => (await groupsOpen(hub!)) === 0, `alert ${i} dropped`);
    }
    const n = sentBefore();
    await hub.post('/webhooks/generic', up);
    await waitFor(() => hub!.sent.length > n, 'firing again');
    // The fifth status change within the window: the resolution is held back, the alert flaps.
    await hub.post('/webhooks/generic', down);
    await hub.nextDecision((e) => e.reason === 'unchanged', 2);
    expect(hub.sent.at(-1)!.notification.status).toBe('firing');
    expect(hub.sent.filter((s) => s.notification.status === 'resolved').length).toBe(2);
    expect(await groupsOpen(hub)).toBe(1);
    await hub.post('/webhooks/generic', genericAlert('Flappy', { svc: 'y' }));
    const marked = await waitFor(() => hub!.sent.find((s) => s.notification.counts.firing === 2), 'the next message');
    expect(marked.notification.flapping).toBe(true);
    expect(marked.notification.firing.map((a) => a.labels.svc).sort()).toEqual(['x', 'y']);
  });

  it('resolve_timeout: a generic alert sent without endsAt resolves by itself', async () => {
    hub = await startHub({
      alerts: {
        route: { receiver: 'console', group_wait: '50ms', group_interval: '300ms', group_by: ['alertname'] },
        sources: { resolveTimeoutSeconds: 1 },
      },
    });
    const t0 = Date.now();
    await hub.post('/webhooks/generic', genericAlert('Heartbeat', { job: 'x' }));
    await waitFor(() => hub!.sent[0], 'firing');
    const resolved = await waitFor(() => hub!.sent.find((s) => s.notification.status === 'resolved'), 'resolved by timeout', 5000);
    expect(resolved.at - t0).toBeGreaterThanOrEqual(950);
    expect(await hub.deps.alerts.incidents.open()).toEqual([]);
  });

  it('incident refs are reserved with SET NX: a taken ref is never shared, ack reaches the right incident', async () => {
    hub = await startHub({ alerts: { route: { receiver: 'console', group_wait: '50ms', group_interval: '1s', group_by: ['alertname'] } } });
    const body: GenericAlert = { title: 'RefClash', status: 'firing', labels: {}, annotations: {} };
    const [group] = createRouting(hub.deps.config.alerts).assign(alertFromGeneric(body, new Date()));
    const candidates = refCandidates(`${group!.groupKey}.1`);
    const prefix = hub.deps.config.redis.prefix;
    await hub.deps.redis.set(`${prefix}:ref:${candidates[0]}`, 'another-incident');
    await hub.post('/webhooks/generic', body);
    const n = (await waitFor(() => hub!.sent[0], 'notification')).notification;
    expect(n.ref).toBe(candidates[1]);
    expect(n.ref).toMatch(/^[0-9a-f]{8}$/);
    expect(await hub.deps.redis.get(`${prefix}:ref:${candidates[0]}`)).toBe('another-incident');
    const acked = await hub.deps.alerts.incidents.ack(n.ref, 'bob');
    expect(acked.ok && acked.incident.id).toBe(n.incidentId);
  });

  it('the message lock is renewed while a slow send is in flight: the next notification waits and updates the message', async () => {
    hub = await startHub({
      alerts: {
        route: { receiver: 'console', group_wait: '50ms', group_interval: '1h', group_by: ['alertname'] },
        notify: { timeout: '200ms' },
      },
    });
    const calls: Array<{ n: Notification; previous?: MessageRef; start: number; end?: number }> = [];
    const slow: Notifier = {
      kind: 'console',
      async send(_destination, n, previous) {
        const call: (typeof calls)[number] = { n, start: Date.now(), ...(previous ? { previous } : {}) };
        calls.push(call);
        await sleep(calls.length === 1 ? 2000 : 10);
        call.end = Date.now();
        return previous ?? { id: `m-${n.seq}`, channel: 'console' };
      },
    };
    hub.deps.alerts.notifiers.register(slow);
    await hub.post('/webhooks/generic', genericAlert('Slow', {}));
    const first = await waitFor(() => calls[0], 'the slow send');
    const newer: Notification = { ...first.n, id: `${first.n.id}b`, seq: first.n.seq + 1 };
    await hub.deps.alerts.pipeline.queues.notify.add('console', {
      notification: newer,
      destination: { kind: 'console', key: 'console', config: {} },
    });
    const second = await waitFor(() => (calls[1]?.end ? calls[1] : undefined), 'the newer notification', 8000);
    expect(second.start).toBeGreaterThanOrEqual(first.end!);
    expect(second.previous).toEqual({ id: `m-${first.n.seq}`, channel: 'console' });
    const stored = await hub.deps.redis.get(hub.deps.alerts.pipeline.keys.message(first.n.incidentId, 'console'));
    expect(JSON.parse(stored!)).toEqual({ ref: { id: `m-${first.n.seq}`, channel: 'console' }, seq: newer.seq });
  });

  it('the message ref is stored with a compare-and-set on seq', async () => {
    hub = await startHub();
    const { keys } = hub.deps.alerts.pipeline;
    const msgKey = keys.message('inc-1', 'console');
    const store = (seq: number, id: string) =>
      hub!.deps.alerts.pipeline.scripts.delivered(
        [msgKey, keys.messageAttempt('inc-1', 'console'), keys.groupMeta('g'), keys.nflog('g'), keys.messageLock('inc-1', 'console')],
        [JSON.stringify({ ref: { id, channel: 'c' }, seq }), seq, 60, 'console', '', seq, '', 'no-lock-held'],
      );
    expect(await store(5, 'newer')).toBe(1);
    expect(await store(3, 'older')).toBe(0);
    expect(JSON.parse((await hub.deps.redis.get(msgKey))!)).toMatchObject({ ref: { id: 'newer' }, seq: 5 });
  });
});
