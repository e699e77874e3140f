import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../app/app.ts';
import type { ConfigInput } from '../../../app/config-schema.ts';
import { configSchema } from '../../../app/config-schema.ts';
import { demoConfig, openAccessWarnings } from '../../../app/security.ts';
import { createAuditLog } from '../../../chat/audit.ts';
import { genericAlert, startHub, waitFor, type Hub } from '../../helpers/alert-hub.ts';
import { createTestDeps } from '../../helpers/deps.ts';

const ALICE = 'alice-token-0123456789';
const ROOT = 'root-token-0123456789ab';
const tokens = [
  { name: 'alice', token: ALICE },
  { name: 'root', token: ROOT, role: 'admin' as const },
];
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
/** Production defaults: nothing opened by the test helper. */
const closed: ConfigInput['alerts'] = { api: { open: false }, sources: { open: [] } };

let hub: Hub | undefined;
let stopApp: (() => Promise<void>) | undefined;
afterEach(async () => {
  await hub?.stop();
  hub = undefined;
  await stopApp?.();
  stopApp = undefined;
});

async function call(method: string, path: string, opts: { token?: string; body?: unknown } = {}) {
  const res = await fetch(hub!.url + path, {
    method,
    headers: {
      ...(opts.token ? bearer(opts.token) : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe('API authentication by default', () => {
  it('answers 401 on every API route without tokens configured, and with a wrong token', async () => {
    hub = await startHub({ alerts: closed });
    for (const [method, path] of [
      ['GET', '/api/incidents'],
      ['GET', '/api/silences'],
      ['POST', '/api/silences'],
      ['DELETE', '/api/silences/abcd1234'],
      ['POST', '/api/incidents/abcd/ack'],
      ['GET', '/api/deliveries/failed'],
      ['GET', '/api/alerts/0123/deliveries'],
    ] as const) {
      const res = await fetch(hub.url + path, { method, headers: bearer('anything-at-all-123456') });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    await hub.stop();
    hub = await startHub({ alerts: { ...closed, apiTokens: tokens } });
    expect((await call('GET', '/api/silences')).status).toBe(401);
    expect((await call('GET', '/api/silences', { token: `${ALICE}x` })).status).toBe(401);
    expect((await call('GET', '/api/silences', { token: ALICE })).status).toBe(200);
    expect((await fetch(`${hub.url}/api/silences?token=${ROOT}`)).status).toBe(200);
  });

  it('takes identities from the token name, never from the body, and audits them', async () => {
    hub = await startHub({ alerts: { ...closed, apiTokens: tokens } });
    const spoofed = await call('POST', '/api/silences', {
      token: ALICE,
      body: { matchers: ['alertname=DiskFull'], duration: '1h', createdBy: 'mallory' },
    });
    expect(spoofed.status).toBe(400);
    const created = await call('POST', '/api/silences', { token: ALICE, body: { matchers: ['alertname=DiskFull'], duration: '1h' } });
    expect(created.status).toBe(201);
    const silence = created.body.silence as { id: string; createdBy: string };
    expect(silence.createdBy).toBe('alice');
    const expired = await call('DELETE', `/api/silences/${silence.id}?by=mallory`, { token: ROOT });
    expect((expired.body.silence as { expiredBy: string }).expiredBy).toBe('root');

    const audit = createAuditLog(hub.deps);
    const entries = await audit.latest(10);
    expect(entries.map((e) => [e.platform, e.user, e.command, e.result])).toEqual([
      ['api', 'root', 'unsilence', 'ok'],
      ['api', 'alice', 'silence', 'ok'],
    ]);
  });

  it('acks as the token name', async () => {
    hub = await startHub({
      alerts: {
        apiTokens: tokens,
        api: { open: false },
        route: { receiver: 'console', group_wait: '50ms', group_interval: '1s', repeat_interval: '1h', group_by: ['alertname'] },
      },
    });
    expect((await hub.post('/webhooks/generic', genericAlert('AckMe'))).status).toBe(202);
    const sent = await waitFor(() => hub!.sent.find((s) => s.notification.groupLabels.alertname === 'AckMe'), 'notified');
    const ref = sent.notification.ref;
    expect((await call('POST', `/api/incidents/${ref}/ack`, { token: ALICE, body: { by: 'mallory' } })).status).toBe(400);
    const acked = await call('POST', `/api/incidents/${ref}/ack`, { token: ALICE });
    expect(acked).toMatchObject({ status: 200, body: { acked: { ref, by: 'alice' } } });
  });

  it('refuses match-all silences however they are spelled, unless an admin token passes all', async () => {
    hub = await startHub({ alerts: { ...closed, apiTokens: tokens, silences: { maxDuration: '7d' } } });
    for (const matchers of [
      ['nosuchlabel=""'],
      ['alertname!="x"'],
      ['alertname=~"(.*)"'],
      ['alertname!~"^$"'],
      ['severity=~".*"', 'team!="nobody"'],
    ]) {
      const res = await call('POST', '/api/silences', { token: ALICE, body: { matchers, duration: '1h' } });
      expect(res.status, matchers.join(' ')).toBe(422);
      expect(JSON.stringify(res.body)).toMatch(/mute everything/);
    }
    expect(
      (await call('POST', '/api/silences', { token: ALICE, body: { matchers: ['alertname!~"^$"'], duration: '1h', all: true } })).status,
    ).toBe(403);
    expect(
      (await call('POST', '/api/silences', { token: ROOT, body: { matchers: ['alertname!~"^$"'], duration: '1h', all: true } })).status,
    ).toBe(201);
    const long = await call('POST', '/api/silences', { token: ROOT, body: { matchers: ['alertname=Disk'], duration: '8d' } });
    expect(long.status).toBe(422);
    expect(JSON.stringify(long.body)).toMatch(/at most 7d/);
    expect(
      (await call('POST', '/api/silences', { token: ALICE, body: { matchers: ['alertname=Disk', 'namespace!="prod"'], duration: '7d' } }))
        .status,
    ).toBe(201);
  });

  it('refuses a silence that matches every open alert across alertnames', async () => {
    hub = await startHub({
      alerts: { apiTokens: tokens, api: { open: false }, route: { receiver: 'console', group_wait: '1h', group_by: ['alertname'] } },
    });
    for (const name of ['CpuHigh', 'MemHigh'])
      expect((await hub.post('/webhooks/generic', genericAlert(name, { env: 'prod' }))).status).toBe(202);
    await waitFor(async () => (await hub!.deps.alerts.incidents.openAlertLabels()).length === 2, 'both alerts grouped');
    const res = await call('POST', '/api/silences', { token: ALICE, body: { matchers: ['env="prod"'], duration: '1h' } });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toMatch(/every open alert \(2 across 2 alertnames\)/);
    expect(
      (await call('POST', '/api/silences', { token: ALICE, body: { matchers: ['env="prod"', 'alertname=CpuHigh'], duration: '1h' } }))
        .status,
    ).toBe(201);
  });
});

describe('intake and other routes', () => {
  it('a source without a credential answers 401 unless listed as open; listed ones are warned about', async () => {
    hub = await startHub({
      alerts: { api: { open: false }, sources: { open: ['kubernetes'], tokens: { alertmanager: ['am-token-123'] } } },
    });
    const generic = await hub.post('/webhooks/generic', genericAlert('X'));
    expect(generic.status).toBe(401);
    expect(generic.body.error).toMatch(/alerts\.sources\.tokens\.generic/);
    expect((await hub.post('/webhooks/sentry', {}, { 'sentry-hook-resource': 'issue' })).status).toBe(401);
    expect((await fetch(`${hub.url}/api/1/store/`, { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await hub.post('/webhooks/kubernetes', { kind: 'EventList', items: [] })).status).toBe(202);
    expect((await hub.post('/webhooks/alertmanager', {}, bearer('am-token-123'))).status).toBe(400);
    const warnings = openAccessWarnings(hub.deps.config).map((w) => w.message);
    expect(warnings).toEqual([expect.stringMatching(/intake source kubernetes takes deliveries without a credential/)]);
  });

  it('only the embedded demo opens the API and every source by default', () => {
    const production = configSchema.parse({});
    expect(production.alerts.api.open).toBe(false);
    expect(production.alerts.sources.open).toEqual([]);
    expect(openAccessWarnings(production)).toEqual([]);
    const demo = demoConfig(production);
    expect(demo.alerts.api.open).toBe(true);
    expect(demo.server.host).toBe('127.0.0.1');
    expect(openAccessWarnings(demo).map((w) => w.message)).toContainEqual(expect.stringMatching(/HTTP API is open/));
  });

  it('puts /metrics and /kb behind the same tokens when configured, and reads legacy token lists', async () => {
    const deps = await createTestDeps({
      alerts: { api: { open: false }, sources: { open: [] }, apiTokens: ['legacy-token-0123'] },
      server: { requireToken: { metrics: true, kb: true } },
    });
    stopApp = () => deps.stop();
    const { http } = createApp(deps);
    await deps.lifecycle.start();
    const base = `http://127.0.0.1:${http.port()}`;
    for (const path of ['/metrics', '/kb', '/api/silences']) {
      expect((await fetch(base + path)).status, path).toBe(401);
      expect((await fetch(base + path, { headers: bearer('legacy-token-0123') })).status, path).toBe(200);
    }
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(openAccessWarnings(deps.config).map((w) => w.message)).toEqual([expect.stringMatching(/without a name act as api-token-<n>/)]);
  });
});
