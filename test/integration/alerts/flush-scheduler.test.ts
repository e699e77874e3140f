import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../alerts/model.ts';
import { createFlushScheduler } from '../../../alerts/pipeline/flush-scheduler.ts';
import { genericAlert, sleep, startHub, waitFor, type Hub } from '../../helpers/alert-hub.ts';

let hub: Hub | undefined;
afterEach(async () => {
  await hub?.stop();
  hub = undefined;
});

const route = { receiver: 'console', group_by: ['alertname'], group_wait: '0', group_interval: '1h' };

describe('flush scheduling', () => {
  it('a new group with group_wait 0 is decided within milliseconds of its 202', async () => {
    hub = await startHub({ alerts: { route } });
    const t0 = Date.now();
    expect((await hub.post('/webhooks/generic', genericAlert('Fast'))).status).toBe(202);
    const decision = await hub.nextDecision();
    expect(decision.notify).toBe(true);
    // No timer or queue poll stands between the stored alert and its flush.
    expect(decision.decidedAt - t0).toBeLessThan(1000);
  });

  it('while groups keep coming due, claims are spaced and what came due meanwhile is flushed together; after a quiet spell at once', async () => {
    hub = await startHub({ alerts: { route, workers: { enabled: false } } });
    const { keys, scripts } = hub.deps.alerts.pipeline;
    const flushedAt: number[] = [];
    const scheduler = createFlushScheduler({
      redis: hub.deps.redis,
      connect: () => hub!.deps.newRedis(),
      keys,
      scripts,
      concurrency: 64,
      spacingMs: 150,
      leaseMs: 5000,
      flush: async () => {
        flushedAt.push(Date.now());
        return 'gone';
      },
      logger: hub.deps.logger,
    });
    await scheduler.start();
    const due = async (gk: string) => {
      await hub!.deps.redis.zadd(keys.due, Date.now(), gk);
      await hub!.deps.redis.lpush(keys.dueWake, 1);
    };
    try {
      const quietFrom = Date.now();
      await due('spaced-first');
      await waitFor(() => flushedAt.length === 1 || undefined, 'the first group flushed');
      expect(flushedAt[0]! - quietFrom).toBeLessThan(100);
      // Twelve more, one every 25 ms: claimed in a few batches, each at least the spacing after the last.
      for (let i = 0; i < 12; i++) {
        await due(`spaced-${i}`);
        await sleep(25);
      }
      await waitFor(() => flushedAt.length === 13 || undefined, 'every group flushed');
      const batches = [...new Set(flushedAt.map((t) => Math.round(t / 10)))].length;
      expect(batches).toBeLessThan(8);
      const starts = flushedAt.filter((t, i) => i === 0 || t - flushedAt[i - 1]! > 50);
      for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(140);
    } finally {
      await scheduler.stop();
    }
  });

  it('a group claimed by a scheduler that died is flushed once its lease ends, once', async () => {
    hub = await startHub({ alerts: { route, workers: { enabled: false } } });
    const { keys, scripts } = hub.deps.alerts.pipeline;
    expect((await hub.post('/webhooks/generic', genericAlert('Orphan'))).status).toBe(202);
    // A scheduler claims the due group with a 1.5 s lease and dies before flushing it.
    const [claimed] = await scripts.flushClaim([keys.due, keys.dueWake], [Date.now(), 1500, 10]);
    expect(claimed).toHaveLength(1);
    const claimedAt = Date.now();
    // Stops this hub without removing its keys; the next one works on the same prefix.
    await hub.deps.lifecycle.stop(5000);
    hub = await startHub({ alerts: { route }, redis: { prefix: keys.prefix } });
    await waitFor(() => hub!.sent.length >= 1, 'the orphaned group flushed', 10_000);
    expect(hub.sent[0]!.at - claimedAt).toBeGreaterThanOrEqual(1400);
    await sleep(300);
    expect(hub.sent).toHaveLength(1);
  });

  it('applies queued ingest jobs of an earlier version, and gives an open group without a due time one', async () => {
    hub = await startHub({ alerts: { route, workers: { enabled: false } } });
    const { keys, queues } = hub.deps.alerts.pipeline;
    expect((await hub.post('/webhooks/generic', genericAlert('Written'))).status).toBe(202);
    const [gk] = await hub.deps.redis.smembers(keys.groups);
    // As an earlier version left it: the group is open, its flush was a queue job, not a due time.
    await hub.deps.redis.zrem(keys.due, gk!);
    await queues.ingest.add('ingest', {
      deliveries: [{ source: 'generic', acceptedAt: Date.now(), alerts: [queuedAlert] }],
    });
    const flushed: string[] = [];
    const scheduler = createFlushScheduler({
      redis: hub.deps.redis,
      connect: () => hub!.deps.newRedis(),
      keys,
      scripts: hub.deps.alerts.pipeline.scripts,
      concurrency: 4,
      spacingMs: 0,
      leaseMs: 5000,
      flush: async (g) => {
        flushed.push(g);
        return 'gone';
      },
      logger: hub.deps.logger,
    });
    await scheduler.start();
    await waitFor(() => flushed.includes(gk!), 'the group without a due time flushed');
    await scheduler.stop();
    await hub.deps.lifecycle.stop(5000);
    hub = await startHub({ alerts: { route }, redis: { prefix: keys.prefix } });
    await waitFor(() => hub!.sent.some((s) => s.notification.groupLabels.alertname === 'Queued'), 'the queued delivery notified');
  });
});

const queuedAlert: Alert = {
  source: 'generic',
  fingerprint: '00000000000000aa',
  status: 'firing',
  severity: 'warning',
  labels: { alertname: 'Queued', severity: 'warning' },
  annotations: {},
  startsAt: new Date().toISOString(),
  subject: {},
  links: {},
};
