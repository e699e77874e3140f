import type { ChildProcess } from 'node:child_process';
import { QueueEvents } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../app/config-schema.ts';
import { configSchema } from '../../../app/config-schema.ts';
import { genericAlert, startHub, waitFor, type Hub } from '../../helpers/alert-hub.ts';
import { startFakeWebhook } from '../../helpers/fake-webhook.ts';
import { createTestDeps } from '../../helpers/deps.ts';
import { startWorkerProcess } from '../../helpers/worker-process.ts';

let hub: Hub | undefined;
let hook: Awaited<ReturnType<typeof startFakeWebhook>> | undefined;
const children: ChildProcess[] = [];
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await hub?.stop();
  await hook?.close();
});

describe('recovery of a delivery whose worker died, with the default worker timings', () => {
  it('a delivery held by a SIGKILLed worker is taken over by another within seconds and sent once more, with the same key', async () => {
    const defaults = configSchema.parse({}).alerts;
    // The first delivery hangs (the worker is killed while it waits); the retry is answered at once.
    hook = await startFakeWebhook((n) => ({ status: 200, delayMs: n === 0 ? 60_000 : 0 }));
    const alerts = {
      route: { receiver: 'hook', group_wait: '50ms', group_interval: '1s', repeat_interval: '1h', group_by: ['alertname'] },
      receivers: [{ name: 'hook', webhook: { url: hook.url } }],
    };
    hub = await startHub({ alerts: { ...alerts, workers: { enabled: false } } });
    const worker: ConfigInput = {
      log: { level: 'silent' },
      redis: { url: hub.deps.redisEndpoint.url, prefix: hub.deps.config.redis.prefix, embedded: false },
      alerts: { ...alerts, workers: { sampleEvery: '0' } },
    };
    const events = new QueueEvents('notify', { connection: hub.deps.newRedis(), prefix: hub.deps.config.redis.prefix });
    await events.waitUntilReady();
    // The dead worker was sending the delivery itself (from its outbox); the survivor's sweep
    // queues it once its lease lapsed, like a stalled job.
    let queuedAt = 0;
    events.on('waiting', () => {
      queuedAt ||= Date.now();
    });
    const first = await startWorkerProcess(worker);
    children.push(first);
    expect((await hub.post('/webhooks/generic', genericAlert('Stalled'))).status).toBe(202);
    await waitFor(() => hook!.hits.length === 1 || undefined, 'the first worker is delivering');
    expect(await hub.deps.redis.zcard(hub.deps.alerts.pipeline.keys.outbox)).toBe(1);
    // The survivor runs in this process, so it is up long before the hung send would time out.
    const survivor = await createTestDeps({ ...worker, alerts: { ...alerts, workers: { sampleEvery: '0' } } });
    stops.push(() => survivor.lifecycle.stop(5000));
    await survivor.lifecycle.start();
    const killedAt = Date.now();
    first.kill('SIGKILL');
    const retry = await waitFor(() => hook!.hits[1], 'the delivery taken over', 25_000);
    await events.close();
    const { lockDuration, stalledInterval } = defaults.workers;
    const figures = {
      takenOverMs: queuedAt - killedAt,
      deliveredMs: retry.at - killedAt,
      lockDuration,
      stalledInterval,
      notifyTimeout: defaults.notify.timeout,
    };
    process.stdout.write(`${JSON.stringify({ figure: 'dead_worker_delivery_takeover', ...figures })}\n`);
    expect(retry.key).toBe(hook.hits[0]!.key);
    // The sweep finds the dead worker's delivery once its lease lapses; the send itself waits for
    // the message lock the dead worker held (notify.timeout + 1 s), which keeps a slow send from doubling.
    expect(queuedAt).toBeGreaterThan(0);
    expect(figures.takenOverMs).toBeLessThan(lockDuration + 2 * stalledInterval + 1000);
    expect(figures.deliveredMs).toBeLessThan(Math.max(lockDuration + 2 * stalledInterval, defaults.notify.timeout + 1000) + 2000);
  }, 40_000);
});
