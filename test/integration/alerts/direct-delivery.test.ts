import { QueueEvents } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { destinationsFor } from '../../../alerts/pipeline/destinations.ts';
import { luaScript } from '../../../alerts/pipeline/lua.ts';
import { createRouting } from '../../../alerts/routing.ts';
import { alertFromGeneric } from '../../../alerts/sources/generic.ts';
import { genericAlert, startHub, waitFor, type Hub } from '../../helpers/alert-hub.ts';
import { startFakeWebhook } from '../../helpers/fake-webhook.ts';

let hub: Hub | undefined;
let hook: Awaited<ReturnType<typeof startFakeWebhook>> | undefined;
let events: QueueEvents | undefined;
afterEach(async () => {
  await events?.close();
  await hub?.stop();
  await hook?.close();
  hub = hook = events = undefined;
});

const route = { receiver: 'hook', group_wait: '50ms', group_interval: '1h', repeat_interval: '1h', group_by: ['alertname'] };

/** Counts the jobs added to the notify queue from now on. */
async function queued(h: Hub) {
  events = new QueueEvents('notify', { connection: h.deps.newRedis(), prefix: h.deps.config.redis.prefix });
  await events.waitUntilReady();
  let added = 0;
  events.on('added', () => added++);
  return () => added;
}

describe('deliveries sent straight from the flush', () => {
  it('go out without a queue job and leave nothing in the outbox', async () => {
    hook = await startFakeWebhook(() => ({ status: 200 }));
    hub = await startHub({ alerts: { route, receivers: [{ name: 'hook', webhook: { url: hook.url } }] } });
    const added = await queued(hub);
    for (const name of ['DirectA', 'DirectB', 'DirectC'])
      expect((await hub.post('/webhooks/generic', genericAlert(name))).status).toBe(202);
    await waitFor(() => hook!.ok().length === 3 || undefined, 'three deliveries');
    await hub.quiet();
    expect(added()).toBe(0);
    expect(await hub.deps.redis.zcard(hub.deps.alerts.pipeline.keys.outbox)).toBe(0);
    expect(await hub.deps.redis.hlen(hub.deps.alerts.pipeline.keys.outboxJobs)).toBe(0);
  });

  it('beyond the free sending slots, and when a delivery must wait, go to the notify queue; each is sent once', async () => {
    // The first try of each delivery is answered 503: every one is handed to the queue with its backoff.
    const tries = new Map<string, number>();
    hook = await startFakeWebhook((_n, req) => {
      const key = String(req.headers['idempotency-key']);
      tries.set(key, (tries.get(key) ?? 0) + 1);
      return tries.get(key) === 1 ? { status: 503, delayMs: 100 } : { status: 200 };
    });
    hub = await startHub({
      alerts: {
        route,
        receivers: [{ name: 'hook', webhook: { url: hook.url } }],
        notify: { concurrency: 1, backoff: '50ms', maxBackoff: '100ms', attempts: 4 },
      },
    });
    const added = await queued(hub);
    const names = Array.from({ length: 6 }, (_, i) => `Slots${i}`);
    for (const name of names) expect((await hub.post('/webhooks/generic', genericAlert(name))).status).toBe(202);
    await waitFor(() => hook!.ok().length === names.length || undefined, 'every group delivered', 10_000);
    await hub.quiet();
    // One slot: the deliveries decided while it was taken were queued at once; the ones sent
    // directly were queued after their 503. Either way one job per delivery, and one success each.
    expect(added()).toBe(names.length);
    expect(new Set(hook.ok().map((h) => h.key)).size).toBe(names.length);
    expect(await hub.deps.redis.zcard(hub.deps.alerts.pipeline.keys.outbox)).toBe(0);
  });

  it('are claimed by the commit; one whose message another delivery holds waits in the queue and is sent once the lock is free', async () => {
    hook = await startFakeWebhook(() => ({ status: 200 }));
    hub = await startHub({ alerts: { route, receivers: [{ name: 'hook', webhook: { url: hook.url } }] } });
    const config = hub.deps.config.alerts;
    const body = genericAlert('HeldMessage');
    const [group] = createRouting(config).assign(alertFromGeneric({ annotations: {}, ...body }, new Date()));
    const [destination] = destinationsFor(
      config.receivers.find((r) => r.name === 'hook')!,
      undefined,
      config.robots,
    );
    const keys = hub.deps.alerts.pipeline.keys;
    const incidentId = `${group!.groupKey}.1`;
    // Another delivery of the same message holds its lock for 600 ms.
    await hub.deps.redis.set(keys.messageLock(incidentId, destination!.key), 'someone-else', 'PX', 600);
    const added = await queued(hub);
    // Counts the deliveries' own claims (claim.lua) from now on.
    const claimSha = createHash('sha1')
      .update(['message-claim', 'claim'].map((f) => luaScript(f)).join('\n'))
      .digest('hex');
    const monitor = await hub.deps.newRedis().monitor();
    let ownClaims = 0;
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'evalsha' && args[1] === claimSha) ownClaims++;
    });
    const t0 = Date.now();
    expect((await hub.post('/webhooks/generic', body)).status).toBe(202);
    await waitFor(() => hook!.ok().length === 1 || undefined, 'the delivery, once the lock is free', 5000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
    await hub.quiet();
    expect(added()).toBe(1);
    expect(hook.ok()).toHaveLength(1);
    // The queued job claimed for itself once the lock was free.
    expect(ownClaims).toBeGreaterThanOrEqual(1);
    expect(await hub.deps.redis.get(keys.messageLock(incidentId, destination!.key))).toBeNull();
    expect(await hub.deps.redis.zcard(keys.outbox)).toBe(0);

    // A delivery the commit claimed needs no claim of its own and leaves no lock behind.
    const claimsBefore = ownClaims;
    const next = genericAlert('FreeMessage');
    expect((await hub.post('/webhooks/generic', next)).status).toBe(202);
    await waitFor(() => hook!.ok().length === 2 || undefined, 'the second delivery');
    await hub.quiet();
    expect(added()).toBe(1);
    expect(ownClaims).toBe(claimsBefore);
    expect(await hub.deps.redis.keys(`${keys.prefix}:msglock:*`)).toEqual([]);
    monitor.disconnect();
  });
});
