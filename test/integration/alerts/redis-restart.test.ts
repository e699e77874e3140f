import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPrivateRedis } from '../../../app/redis.ts';
import { genericAlert, sleep, startHub, waitFor, type Hub } from '../../helpers/alert-hub.ts';

let hub: Hub | undefined;
let stopRedis: (() => Promise<void>) | undefined;
let dir: string | undefined;
afterEach(async () => {
  await hub?.stop();
  await stopRedis?.();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a private Redis with AOF restarted mid-run', () => {
  it('every accepted alert is notified exactly once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fm-aof-'));
    let redis = await startPrivateRedis({ dir, appendonly: true });
    stopRedis = redis.stop;
    const port = redis.port;
    hub = await startHub({
      redis: { url: redis.url },
      alerts: {
        route: { receiver: 'console', group_wait: '300ms', group_interval: '500ms', repeat_interval: '1h', group_by: ['alertname'] },
      },
    });
    const names = Array.from({ length: 30 }, (_, i) => `Aof${i}`);
    for (const n of names.slice(0, 15)) expect((await hub.post('/webhooks/generic', genericAlert(n))).status).toBe(202);
    // Accepted but not yet flushed (group_wait) when Redis goes away: the AOF must keep them.
    await redis.stop();
    await sleep(300);
    redis = await startPrivateRedis({ dir, port, appendonly: true });
    stopRedis = redis.stop;
    // Until the hub has reconnected it answers 503 (nothing stored); senders retry.
    for (const n of names.slice(15)) expect((await hub.postRetrying('/webhooks/generic', genericAlert(n))).status).toBe(202);
    await waitFor(
      () => names.every((n) => hub!.sent.some((s) => s.notification.groupLabels.alertname === n)),
      'every alert notified',
      20_000,
    );
    await hub.quiet();
    // One more flush of every group after all were logged: each decides to send nothing.
    const from = hub.decisions.length;
    await waitFor(
      () => names.every((n) => hub!.decisions.slice(from).some((e) => e.groupLabels.alertname === n)),
      'a flush of every group',
    );
    expect(hub.decisions.slice(from).filter((e) => e.notify)).toEqual([]);
    const counts = new Map<string, number>();
    for (const s of hub.sent)
      counts.set(s.notification.groupLabels.alertname!, (counts.get(s.notification.groupLabels.alertname!) ?? 0) + 1);
    expect([...counts.entries()].filter(([, c]) => c !== 1)).toEqual([]);
    expect(counts.size).toBe(names.length);
  }, 40_000);
});
