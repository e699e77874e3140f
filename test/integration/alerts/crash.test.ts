import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../app/config-schema.ts';
import { genericAlert, startHub, waitFor, type Hub } from '../../helpers/alert-hub.ts';
import { startFakeWebhook } from '../../helpers/fake-webhook.ts';
import { startWorkerProcess as startWorker } from '../../helpers/worker-process.ts';

let hub: Hub | undefined;
let hook: Awaited<ReturnType<typeof startFakeWebhook>> | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await hub?.stop();
  await hook?.close();
});

describe('a worker process killed mid-flight', () => {
  it('SIGKILL while delivering, restart: every accepted alert is notified, one decision per group', async () => {
    hook = await startFakeWebhook(() => ({ status: 200, delayMs: 100 }));
    const alerts = {
      route: { receiver: 'hook', group_wait: '50ms', group_interval: '400ms', repeat_interval: '1h', group_by: ['alertname'] },
      receivers: [{ name: 'hook', webhook: { url: hook.url } }],
      notify: { concurrency: 4, backoff: '50ms', timeout: '3s' },
    };
    hub = await startHub({ alerts: { ...alerts, workers: { enabled: false } } });
    const shared: ConfigInput = {
      log: { level: 'silent' },
      redis: { url: hub.deps.redisEndpoint.url, prefix: hub.deps.config.redis.prefix, embedded: false },
      alerts: { ...alerts, workers: { lockDuration: '2s', stalledInterval: '500ms', sampleEvery: '0' } },
    };
    const first = await startWorker(shared);
    children.push(first);
    const names = Array.from({ length: 40 }, (_, i) => `Crash${i}`);
    for (const n of names) expect((await hub.post('/webhooks/generic', genericAlert(n, { i: n }))).status).toBe(202);
    await waitFor(() => hook!.hits.length >= 5, 'some deliveries before the kill');
    first.kill('SIGKILL');
    children.push(await startWorker(shared));
    await waitFor(
      () => names.every((n) => hook!.ok().some((h) => h.body.notification.groupLabels.alertname === n)),
      'every group delivered',
      20_000,
    );
    await hub.quiet();
    const ok = hook.ok();
    const byKey = new Map<string, string[]>();
    for (const h of ok)
      byKey.set(h.key, [...(byKey.get(h.key) ?? []), JSON.stringify(h.body.notification.firing.map((a) => a.fingerprint))]);
    // Exactly one decision per group, none lost; a decision whose answer was lost in the kill may
    // arrive again, always under the same idempotency key and with the same content.
    expect(byKey.size).toBe(names.length);
    for (const bodies of byKey.values()) expect(new Set(bodies).size).toBe(1);
    expect(ok.every((h) => h.body.action === 'create')).toBe(true);
  }, 45_000);
});
