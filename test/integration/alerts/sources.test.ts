import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genericAlert, startHub, waitFor, type Hub } from '../../helpers/alert-hub.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/sources/${name}`, import.meta.url));
const SECRET = 'b3f1c9d2e8a74f6b9c0d1e2f3a4b5c6d';
const TOKEN = 'am-token-0123456789';

let hub: Hub;
beforeAll(async () => {
  hub = await startHub({
    alerts: {
      route: { receiver: 'console', group_wait: '100ms', group_interval: '300ms', repeat_interval: '1h', group_by: ['...'] },
      sources: {
        tokens: { alertmanager: [TOKEN] },
        sentryWebhookSecrets: [SECRET],
        frequency: [{ name: 'SentryErrors', count: 1, windowSeconds: 20 }],
      },
    },
  });
});
afterAll(() => hub.stop());

const notified = (pred: (labels: Record<string, string>) => boolean) =>
  waitFor(() => hub.sent.find((s) => s.notification.firing.some((a) => pred(a.labels))), 'a notification');

describe('every intake format end to end: HTTP → pipeline → notifier', () => {
  it('Alertmanager webhook with bearer token (header or ?token=), 401 without', async () => {
    const body = fixture('alertmanager-firing-resolved.json');
    expect((await hub.post('/webhooks/alertmanager', body)).status).toBe(401);
    expect((await hub.post('/webhooks/alertmanager?token=wrong-token-xyz', body)).status).toBe(401);
    const res = await hub.post('/webhooks/alertmanager', body, { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(202);
    expect(Number(res.body.accepted)).toBeGreaterThan(0);
    const parsed = JSON.parse(body.toString()) as { alerts: Array<{ status: string; labels: Record<string, string> }> };
    const firing = parsed.alerts.find((a) => a.status === 'firing')!;
    const got = await notified((l) => l.alertname === firing.labels.alertname);
    expect(got.notification.firing[0]!.source).toBeTruthy();
    expect((await hub.post(`/webhooks/alertmanager?token=${TOKEN}`, body)).status).toBe(202);
  });

  it('Sentry integration webhook, signature checked', async () => {
    const body = fixture('sentry-webhook-event-alert.json');
    const headers = {
      'sentry-hook-resource': 'event_alert',
      'sentry-hook-timestamp': String(Math.floor(Date.now() / 1000)),
      'request-id': '7c5b2a1e-0000-4000-8000-000000000001',
    };
    expect((await hub.post('/webhooks/sentry', body, { ...headers, 'sentry-hook-signature': 'bad' })).status).toBe(401);
    const sig = createHmac('sha256', SECRET).update(body).digest('hex');
    expect((await hub.post('/webhooks/sentry', body, { ...headers, 'sentry-hook-signature': sig })).status).toBe(202);
    await notified((l) => l.alertname === 'Payments errors to chat');
    // A replay, as is or under another request id, is answered without being processed again.
    const replayed = await hub.post('/webhooks/sentry', body, { ...headers, 'sentry-hook-signature': sig });
    expect(replayed).toMatchObject({ status: 200, body: { accepted: 0, duplicate: true } });
    const renamed = { ...headers, 'request-id': '7c5b2a1e-0000-4000-8000-000000000002', 'sentry-hook-signature': sig };
    expect((await hub.post('/webhooks/sentry', body, renamed)).body).toMatchObject({ duplicate: true });
    const old = { ...headers, 'sentry-hook-timestamp': String(Math.floor(Date.now() / 1000) - 3600), 'sentry-hook-signature': sig };
    expect((await hub.post('/webhooks/sentry', body, old)).status).toBe(401);
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(metrics).toMatch(/firstmate_alerts_accepted_total\{source="sentry-webhook"\} 1\n/);
  });

  it('Sentry SDK envelope, gzip-encoded, without a content type', async () => {
    const res = await fetch(`${hub.url}/api/42/envelope/?sentry_key=publickey&sentry_version=7`, {
      method: 'POST',
      headers: { 'content-encoding': 'gzip' },
      body: gzipSync(fixture('sentry-envelope-exception.envelope')),
    });
    expect(res.status).toBe(202);
    const got = await notified((l) => l.alertname === 'SentryErrors' && l.project === '42');
    expect(got.notification.firing[0]!.annotations.summary).toContain('TypeError');
  });

  it('Kubernetes event list and the generic webhook', async () => {
    expect((await hub.post('/webhooks/kubernetes', fixture('kubernetes-event-list.json'))).status).toBe(202);
    const k8s = await waitFor(
      () => hub.sent.find((s) => s.notification.firing.some((a) => a.source === 'kubernetes' || a.labels.reason !== undefined)),
      'kubernetes',
    );
    expect(k8s.notification.firing.length).toBeGreaterThan(0);
    expect((await hub.post('/webhooks/generic', genericAlert('BackupFailed', { job: '夜间备份' }))).status).toBe(202);
    const g = await notified((l) => l.alertname === 'BackupFailed');
    expect(g.notification.firing[0]!.labels.job).toBe('夜间备份');
  });

  it('answers 415 for a content type the source does not take and 413 over the body limit', async () => {
    const r415 = await hub.post('/webhooks/generic', 'title=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(r415.status).toBe(415);
    expect(r415.body.details).toBeInstanceOf(Array);
    const big = JSON.stringify([genericAlert('Big', { pad: 'x'.repeat(1024 * 1024) })]);
    expect((await hub.post('/webhooks/generic', big)).status).toBe(413);
  });
});

describe('hostile input through HTTP', () => {
  it('hundreds of malformed bodies get 4xx, enqueue nothing, and valid ones interleaved are all delivered', async () => {
    const routes = [
      '/webhooks/alertmanager?token=' + TOKEN,
      '/webhooks/generic',
      '/webhooks/kubernetes',
      '/webhooks/sentry',
      '/api/7/envelope/',
      '/api/7/store/',
    ];
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024)).subarray(0, 20000);
    const hostile = (i: number): Buffer | string => {
      switch (i % 12) {
        case 0:
          return Buffer.from(Array.from({ length: Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256)));
        case 1:
          return '{"alerts": ['.repeat(200);
        case 2:
          return JSON.stringify({ __proto__: { polluted: true }, constructor: { prototype: { x: 1 } }, alerts: 'nope' });
        case 3:
          return '[' + '['.repeat(5000) + ']'.repeat(5000) + ']';
        case 4:
          return JSON.stringify([{ title: 42, labels: { a: { b: 1 } } }]);
        case 5:
          return JSON.stringify({ version: '4', alerts: [{ labels: 'x', status: 'weird' }] });
        case 6:
          return '\u0000\uffff\ud800';
        case 7:
          return bomb;
        case 8:
          return JSON.stringify({ title: '', severity: 'x'.repeat(100) });
        case 9:
          return 'null';
        case 10:
          return JSON.stringify({ kind: 'Event', involvedObject: 7 });
        default:
          return '{"title": "unterminated';
      }
    };
    const before = hub.sent.length;
    const statuses = new Map<number, number>();
    const valid: string[] = [];
    for (let i = 0; i < 240; i++) {
      const route = routes[i % routes.length]!;
      const headers: Record<string, string> = i % 7 === 0 ? { 'content-encoding': 'gzip' } : {};
      const res = await hub.post(route, hostile(i), headers);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      // The Sentry SDK endpoints take any JSON object as an event or an envelope header, as Sentry does.
      if (res.status === 202 && route.startsWith('/api/')) continue;
      expect(res.status, `${route} #${i}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${route} #${i}`).toBeLessThan(500);
      if (i % 20 === 0) {
        const name = `Valid${i}`;
        valid.push(name);
        expect((await hub.post('/webhooks/generic', genericAlert(name))).status).toBe(202);
      }
    }
    await waitFor(() => valid.every((n) => hub.sent.some((s) => s.notification.groupLabels.alertname === n)), 'every valid alert');
    const fresh = hub.sent
      .slice(before)
      .map((s) => s.notification.groupLabels.alertname)
      .filter((n) => n !== 'SentryErrors');
    expect(fresh.sort()).toEqual([...valid].sort());
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
    expect([...statuses.keys()].every((st) => st === 202 || (st >= 400 && st < 500))).toBe(true);
  });
});
