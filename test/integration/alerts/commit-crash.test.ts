/**
 * Crashes in the middle of group commits: an intake process killed while deliveries are gathered
 * and written together, and a worker killed while it applies such batches. Every delivery that got
 * its 202 is notified, and none twice.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../app/config-schema.ts';
import { startHub, type Hub } from '../../helpers/alert-hub.ts';
import { runCli, type CliProcess } from '../../helpers/cli.ts';
import { startFakeWebhook } from '../../helpers/fake-webhook.ts';
import { waitFor } from '../../helpers/wait.ts';
import { startWorkerProcess } from '../../helpers/worker-process.ts';

let hub: Hub | undefined;
let hook: Awaited<ReturnType<typeof startFakeWebhook>> | undefined;
const children: ChildProcess[] = [];
const clis: CliProcess[] = [];
afterEach(async () => {
  for (const c of [...children.splice(0), ...clis.splice(0).map((c) => c.child)])
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await hub?.stop();
  await hook?.close();
});

describe('a crash in the middle of a group commit', () => {
  it('intake and worker SIGKILLed mid-batch: every delivery answered 202 is notified once, none twice', async () => {
    hook = await startFakeWebhook(() => ({ status: 200, delayMs: 20 }));
    const alerts = {
      route: { receiver: 'hook', group_wait: '50ms', group_interval: '1h', repeat_interval: '1h', group_by: ['alertname'] },
      receivers: [{ name: 'hook', webhook: { url: hook.url } }],
      notify: { concurrency: 8, backoff: '50ms', timeout: '3s' },
    };
    hub = await startHub({ alerts: { ...alerts, workers: { enabled: false } } });
    const shared: ConfigInput = {
      log: { level: 'silent' },
      redis: { url: hub.deps.redisEndpoint.url, prefix: hub.deps.config.redis.prefix, embedded: false },
      alerts: { ...alerts, ingest: { concurrency: 2 }, workers: { lockDuration: '2s', stalledInterval: '500ms', sampleEvery: '0' } },
    };
    const dir = mkdtempSync(join(tmpdir(), 'fm-commit-crash-'));
    // Production intake takes nothing from a source without a credential unless it is listed open.
    writeFileSync(
      join(dir, 'firstmate.yaml'),
      JSON.stringify({ server: { host: '127.0.0.1' }, alerts: { ...shared.alerts, sources: { open: ['prometheus'] } } }),
    );
    const intake = runCli(['start', '--role', 'intake'], {
      cwd: dir,
      env: {
        PORT: '0',
        REDIS_URL: hub.deps.redisEndpoint.url,
        FIRSTMATE_REDIS_PREFIX: hub.deps.config.redis.prefix,
        FIRSTMATE_KUBE_MODE: 'off',
      },
    });
    clis.push(intake);
    const worker = await startWorkerProcess(shared);
    children.push(worker);
    const [, port] = await intake.waitFor(/"port":(\d+)[^\n]*firstmate started/, 'stderr', 90_000);

    // 32 clients post new groups back to back, so the intake gathers deliveries into batches,
    // until it is killed after 60 answers; the deliveries in flight then get no answer.
    const accepted: string[] = [];
    let sent = 0;
    let failed = 0;
    const client = async () => {
      for (;;) {
        const n = `Commit${sent++}`;
        try {
          const r = await fetch(`http://127.0.0.1:${port}/api/v2/alerts`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify([{ labels: { alertname: n, severity: 'warning' } }]),
          });
          if (r.status === 202) accepted.push(n);
          if (accepted.length === 60) intake.child.kill('SIGKILL');
        } catch {
          failed++;
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: 32 }, client));
    expect(accepted.length).toBeGreaterThanOrEqual(60);
    expect(failed).toBe(32);

    await waitFor(() => hook!.hits.length >= 3, 'some deliveries before the worker is killed', 30_000);
    worker.kill('SIGKILL');
    children.push(await startWorkerProcess(shared));
    const notified = () => new Set(hook!.ok().map((h) => h.body.notification.groupLabels.alertname));
    await waitFor(() => accepted.every((n) => notified().has(n)), 'every accepted delivery notified', 60_000);
    await hub.quiet(30_000);
    // None twice: one decision per group; a send whose answer was lost in the kill may arrive
    // again, always under the same idempotency key.
    const keysByGroup = new Map<string, Set<string>>();
    for (const h of hook.ok()) {
      const n = h.body.notification.groupLabels.alertname!;
      keysByGroup.set(n, (keysByGroup.get(n) ?? new Set()).add(h.key));
    }
    for (const n of accepted) expect(keysByGroup.get(n)?.size, n).toBe(1);
  }, 180_000);
});
