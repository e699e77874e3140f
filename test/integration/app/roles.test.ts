import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deletePrefix } from '../../../app/redis.ts';
import { runCli, type CliProcess } from '../../helpers/cli.ts';
import { testPrefix } from '../../helpers/deps.ts';
import { startFakeWebhook } from '../../helpers/fake-webhook.ts';
import { waitFor } from '../../helpers/wait.ts';

const started = /"role":"(\w+)","port":(\d+)[^\n]*firstmate started/g;
const running: CliProcess[] = [];
let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    await p.exited;
  }
  for (const c of cleanup) await c();
  cleanup = [];
});

describe('firstmate start --role', () => {
  it('two intake processes share one port, a worker process on the same Redis notifies what they accepted', async () => {
    const hook = await startFakeWebhook();
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const prefix = testPrefix('roles');
    cleanup.push(
      () => hook.close(),
      () => deletePrefix(redisUrl, prefix),
    );
    const dir = mkdtempSync(join(tmpdir(), 'fm-roles-'));
    writeFileSync(
      join(dir, 'firstmate.yaml'),
      [
        'server: { host: 127.0.0.1 }',
        'alerts:',
        '  route: { receiver: hook, group_by: [alertname], group_wait: 100ms, group_interval: 1h }',
        `  receivers: [{ name: hook, webhook: { url: "${hook.url}" } }]`,
        '  workers: { sampleEvery: "0" }',
        '  sources: { open: [prometheus] }',
      ].join('\n'),
    );
    const env = { PORT: '0', REDIS_URL: redisUrl, FIRSTMATE_REDIS_PREFIX: prefix, FIRSTMATE_KUBE_MODE: 'off' };
    const intake = runCli(['start', '--role', 'intake', '--processes', '2'], { cwd: dir, env });
    const worker = runCli(['start', '--role', 'worker'], { cwd: dir, env });
    running.push(intake, worker);
    await waitFor(() => [...intake.stderr().matchAll(started)].length === 2, 'both intake processes listening', 90_000);
    const ports = [...intake.stderr().matchAll(started)].map((m) => [m[1], m[2]]);
    expect(ports[0]).toEqual(ports[1]);
    expect(ports[0]![0]).toBe('intake');
    const base = `http://127.0.0.1:${ports[0]![1]}`;

    const body = JSON.stringify([{ labels: { alertname: 'RoleSplit', severity: 'warning' }, annotations: { summary: 'from prometheus' } }]);
    const posts = await Promise.all(
      Array.from({ length: 8 }, () =>
        fetch(`${base}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
      ),
    );
    expect(posts.map((r) => r.status)).toEqual(Array(8).fill(202));
    const status = (await (await fetch(`${base}/api/v2/status`)).json()) as { cluster: { status: string } };
    expect(status.cluster.status).toBe('disabled');
    // The intake processes serve nothing but intake.
    expect((await fetch(`${base}/api/incidents`)).status).toBe(404);

    await worker.waitFor(/"role":"worker"[^\n]*firstmate started/, 'stderr');
    await waitFor(() => hook.ok().length > 0, 'the worker notified the accepted alert', 90_000);
    expect(hook.ok()[0]!.body.notification.groupLabels).toEqual({ alertname: 'RoleSplit' });

    intake.child.kill('SIGTERM');
    expect((await intake.exited).code).toBe(0);
  }, 180_000);

  it('refuses several processes for any role but intake', async () => {
    const cli = runCli(['start', '--role', 'worker', '--processes', '2'], { cwd: mkdtempSync(join(tmpdir(), 'fm-roles-')) });
    expect((await cli.exited).code).toBe(2);
    expect(cli.stderr()).toMatch(/more than 1 only with --role intake/);
  });
});
