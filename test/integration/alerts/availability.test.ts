import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
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
  hub = undefined;
  await stopRedis?.();
  stopRedis = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const route = { receiver: 'console', group_wait: '50ms', group_interval: '300ms', repeat_interval: '1h', group_by: ['alertname'] };

describe('while Redis is down', () => {
  it('intake and the API answer 503 with Retry-After within the bound, /readyz is 503, nothing answered 503 is stored, and it recovers', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fm-down-'));
    let redis = await startPrivateRedis({ dir, appendonly: true });
    stopRedis = redis.stop;
    const port = redis.port;
    hub = await startHub({ redis: { url: redis.url }, alerts: { route, limits: { redisTimeout: '1s', retryAfterSeconds: 3 } } });
    expect((await hub.post('/webhooks/generic', genericAlert('Before'))).status).toBe(202);
    await waitFor(() => hub!.sent.some((s) => s.notification.groupLabels.alertname === 'Before'), 'first alert notified');

    await redis.stop();
    const lost = ['Lost1', 'Lost2', 'Lost3'];
    for (const name of lost) {
      const started = Date.now();
      const res = await hub.post('/webhooks/generic', genericAlert(name));
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('3');
      expect(Date.now() - started).toBeLessThan(1500);
    }
    const api = await fetch(`${hub.url}/api/incidents`);
    expect(api.status).toBe(503);
    expect(api.headers.get('retry-after')).toBe('3');
    const ready = await fetch(`${hub.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { redis: false } });

    redis = await startPrivateRedis({ dir, port, appendonly: true });
    stopRedis = redis.stop;
    expect((await hub.postRetrying('/webhooks/generic', genericAlert('After'))).status).toBe(202);
    await waitFor(() => hub!.sent.some((s) => s.notification.groupLabels.alertname === 'After'), 'alert after recovery notified', 15_000);
    await waitFor(async () => (await fetch(`${hub!.url}/readyz`)).status === 200, 'ready again');
    const held = (await hub.deps.alerts.incidents.openAlertLabels()).map((l) => l.alertname);
    expect(held).toContain('After');
    expect(held.filter((n) => lost.includes(n!))).toEqual([]);
    expect(hub.sent.filter((s) => lost.includes(s.notification.groupLabels.alertname!))).toEqual([]);
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    // The three above, and any retry answered 503 while the hub reconnected.
    const unavailable = /firstmate_alerts_rejected_total\{source="generic",reason="unavailable"\} (\d+)/.exec(metrics);
    expect(Number(unavailable?.[1])).toBeGreaterThanOrEqual(3);
  }, 40_000);
});

describe('backpressure over the whole pipeline', () => {
  it('answers 429 when the flush or the notify backlog is over its limit, and /metrics shows each backlog', async () => {
    hub = await startHub({
      alerts: { workers: { enabled: false }, limits: { backlog: 100, flushBacklog: 2, notifyBacklog: 3, retryAfterSeconds: 4 } },
    });
    const { queues, keys } = hub.deps.alerts.pipeline;
    const { notify } = queues;
    expect((await hub.post('/webhooks/generic', genericAlert('Fine'))).status).toBe(202);
    // Two more groups due now (the one above is due in group_wait).
    await hub.deps.redis.zadd(keys.due, Date.now(), 'g1', Date.now(), 'g2');
    await sleep(150);
    const overFlush = await hub.post('/webhooks/generic', genericAlert('TooMany'));
    expect(overFlush.status).toBe(429);
    expect(overFlush.headers.get('retry-after')).toBe('4');
    expect(overFlush.body.error).toMatch(/flush backlog/);
    await hub.deps.redis.zrem(keys.due, 'g1', 'g2');
    for (let i = 0; i < 3; i++)
      await notify.add('notify', { notification: { id: `n${i}` }, destination: { kind: 'console', key: 'console', config: {} } } as never);
    await sleep(150);
    const overNotify = await hub.post('/webhooks/generic', genericAlert('TooMany'));
    expect(overNotify.status).toBe(429);
    expect(overNotify.body.error).toMatch(/notify backlog/);
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(metrics).toMatch(/firstmate_pipeline_backlog\{queue="ingest"\} 0/);
    expect(metrics).toMatch(/firstmate_pipeline_backlog\{queue="flush"\} 0/);
    expect(metrics).toMatch(/firstmate_pipeline_backlog\{queue="notify"\} 3/);
    expect(metrics).toMatch(/firstmate_pipeline_backlog_limit\{queue="flush"\} 2/);
    expect(metrics).toMatch(/firstmate_alerts_rejected_total\{source="generic",reason="backlog"\} 2/);
  });
});

describe('connection limits', () => {
  const open = (port: number) =>
    new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.on('error', reject);
    });

  it('closes 500 idle connections after the idle timeout', async () => {
    hub = await startHub({ server: { idleTimeoutMs: 500, keepAliveTimeoutMs: 300, headersTimeoutMs: 1000, requestTimeoutMs: 2000 } });
    const port = hub.http.port();
    const sockets: Socket[] = [];
    for (let i = 0; i < 500; i += 50) sockets.push(...(await Promise.all(Array.from({ length: 50 }, () => open(port)))));
    const closed = sockets.map((s) => new Promise<void>((r) => s.once('close', () => r())));
    for (const s of sockets) s.on('error', () => {});
    const started = Date.now();
    await Promise.all(closed);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await new Promise<number>((r) => hub!.http.app.server.getConnections((_e, n) => r(n)))).toBe(0);
  });

  it('closes a kept-alive connection after the keep-alive timeout and a slow body with 408', async () => {
    hub = await startHub({ server: { keepAliveTimeoutMs: 200, headersTimeoutMs: 1000, requestTimeoutMs: 1000, idleTimeoutMs: 5000 } });
    const port = hub.http.port();
    const kept = await open(port);
    const reply = new Promise<string>((r) => {
      let got = '';
      kept.on('data', (d: Buffer) => (got += d.toString()));
      kept.once('close', () => r(got));
    });
    kept.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    const started = Date.now();
    expect(await reply).toMatch(/^HTTP\/1\.1 200/);
    expect(Date.now() - started).toBeLessThan(2500);

    const slow = await open(port);
    const answer = new Promise<string>((r) => {
      let got = '';
      slow.on('data', (d: Buffer) => (got += d.toString()));
      slow.once('close', () => r(got));
    });
    slow.write('POST /webhooks/generic HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"tit');
    expect(await answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('refuses connections over the cap', async () => {
    hub = await startHub({ server: { maxConnections: 5 } });
    const port = hub.http.port();
    const held = await Promise.all(Array.from({ length: 5 }, () => open(port)));
    const extra = await open(port);
    await new Promise<void>((r) => extra.once('close', () => r()));
    for (const s of held) s.destroy();
  });
});
