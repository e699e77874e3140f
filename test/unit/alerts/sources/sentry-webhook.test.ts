import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSentryWebhook, sentryWebhookReplayKeys } from '../../../../alerts/sources/sentry-webhook.ts';
import type { IntakeResult } from '../../../../alerts/sources/types.ts';
import { RECEIVED_AT, fixture, fixtureJson, intakeRequest } from './intake-request.ts';

const SECRET = 'b3f1c9d2e8a74f6b9c0d1e2f3a4b5c6d';
const sign = (body: Buffer, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');

function delivery(resource: string, body: Buffer, extra: Record<string, string> = {}) {
  return intakeRequest(body, {
    headers: {
      'content-type': 'application/json',
      'request-id': '7c5b2a1e-0000-4000-8000-000000000001',
      'sentry-hook-resource': resource,
      'sentry-hook-timestamp': String(Math.floor(RECEIVED_AT.getTime() / 1000)),
      'sentry-hook-signature': sign(body),
      ...extra,
    },
  });
}

function ok(result: IntakeResult) {
  if (!result.ok) throw new Error(`expected ok, got ${result.status} ${result.error} ${JSON.stringify(result.details)}`);
  return result;
}

describe('Sentry integration-platform webhooks', () => {
  const options = { sentryWebhookSecrets: [SECRET] };

  it('maps an issue alert (event_alert) to a firing alert with links and subject', async () => {
    const [alert] = ok(await parseSentryWebhook(delivery('event_alert', fixture('sentry-webhook-event-alert.json')), options)).alerts;
    expect(alert).toMatchObject({
      source: 'sentry',
      status: 'firing',
      severity: 'warning',
      labels: {
        alertname: 'Payments errors to chat',
        project: '1',
        issue_id: '1170820242',
        environment: 'production',
        level: 'error',
        namespace: 'payments',
      },
      annotations: { summary: 'ConnectionResetError: [Errno 104] Connection reset by peer', culprit: 'payments.charge in capture' },
      startsAt: '2026-11-26T20:41:03.552Z',
      subject: { namespace: 'payments', pod: 'payments-api-7c9d8-xk2lp' },
      links: { generator: 'https://sentry.example.com/organizations/acme/issues/1170820242/events/e4874d664c3540c1a32eab185f12c5ab/' },
    });
    expect(Object.keys(alert?.labels ?? {}).sort()).toEqual(['alertname', 'environment', 'issue_id', 'level', 'namespace', 'project']);
  });

  it('gives every event of one issue and rule the same fingerprint, whichever pod sent it', async () => {
    const body = fixtureJson<{ data: { event: { event_id: string; tags: string[][] } } }>('sentry-webhook-event-alert.json');
    const [a] = ok(await parseSentryWebhook(delivery('event_alert', fixture('sentry-webhook-event-alert.json')), options)).alerts;
    body.data.event.event_id = 'f'.repeat(32);
    body.data.event.tags = body.data.event.tags.map(([k, v]) => [k as string, k === 'pod' ? 'payments-api-7c9d8-zz9qq' : (v as string)]);
    const [b] = ok(await parseSentryWebhook(delivery('event_alert', Buffer.from(JSON.stringify(body))), options)).alerts;
    expect(b?.subject.pod).toBe('payments-api-7c9d8-zz9qq');
    expect(b?.fingerprint).toBe(a?.fingerprint);
  });

  it('maps issue created/resolved to firing/resolved of one fingerprint', async () => {
    const created = fixture('sentry-webhook-issue-created.json');
    const resolvedBody = fixtureJson('sentry-webhook-issue-created.json');
    resolvedBody.action = 'resolved';
    const resolvedRaw = Buffer.from(JSON.stringify(resolvedBody));
    const [a] = ok(await parseSentryWebhook(delivery('issue', created), options)).alerts;
    const [b] = ok(await parseSentryWebhook(delivery('issue', resolvedRaw), options)).alerts;
    expect(a).toMatchObject({
      status: 'firing',
      labels: { alertname: 'SentryIssue', project: 'payments', issue_id: '1170820242' },
      links: { generator: 'https://sentry.example.com/organizations/acme/issues/1170820242/' },
    });
    expect(b).toMatchObject({ status: 'resolved', endsAt: RECEIVED_AT.toISOString() });
    expect(a?.fingerprint).toBe(b?.fingerprint);
    // An issue alert never resolves by webhook on a schedule: it ends after resolve_timeout.
    expect(a?.endsAt).toBe(new Date(RECEIVED_AT.getTime() + 300_000).toISOString());
  });

  it('maps metric alerts: critical → critical firing, resolved → resolved', async () => {
    const raw = fixture('sentry-webhook-metric-alert-critical.json');
    const [critical] = ok(await parseSentryWebhook(delivery('metric_alert', raw), options)).alerts;
    expect(critical).toMatchObject({
      status: 'firing',
      severity: 'critical',
      labels: { alertname: 'Too many errors', environment: 'production', project: 'payments' },
      annotations: { summary: 'Critical: Too many errors' },
      startsAt: '2026-11-26T20:39:00.000Z',
    });
    expect(critical?.endsAt).toBeUndefined();
    const body = fixtureJson<{ action: string; data: { metric_alert: Record<string, unknown> } }>(
      'sentry-webhook-metric-alert-critical.json',
    );
    body.action = 'resolved';
    body.data.metric_alert.date_closed = '2026-11-26T21:05:00Z';
    const [resolved] = ok(await parseSentryWebhook(delivery('metric_alert', Buffer.from(JSON.stringify(body))), options)).alerts;
    expect(resolved).toMatchObject({ status: 'resolved', endsAt: '2026-11-26T21:05:00.000Z', fingerprint: critical?.fingerprint });
  });

  it('accepts other resources with no alerts', async () => {
    const body = Buffer.from(JSON.stringify({ action: 'created', installation: { uuid: 'x' }, data: { installation: {} } }));
    expect(ok(await parseSentryWebhook(delivery('installation', body), options)).alerts).toEqual([]);
  });

  it('rejects a bad, missing or foreign signature with 401 and accepts unsigned deliveries when no secret is configured', async () => {
    const raw = fixture('sentry-webhook-issue-created.json');
    expect(await parseSentryWebhook(delivery('issue', raw, { 'sentry-hook-signature': sign(raw, 'other') }), options)).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(await parseSentryWebhook(delivery('issue', raw, { 'sentry-hook-signature': '' }), options)).toMatchObject({
      ok: false,
      status: 401,
    });
    const tampered = Buffer.from(raw.toString().replace('"created"', '"resolved"'));
    expect(await parseSentryWebhook(delivery('issue', tampered, { 'sentry-hook-signature': sign(raw) }), options)).toMatchObject({
      ok: false,
      status: 401,
    });
    expect((await parseSentryWebhook(delivery('issue', raw, { 'sentry-hook-signature': 'nonsense' }), {})).ok).toBe(true);
    expect((await parseSentryWebhook(delivery('issue', raw), { sentryWebhookSecrets: ['rotated', SECRET] })).ok).toBe(true);
  });

  it('reports a missing resource header and invalid payloads with paths', async () => {
    const raw = fixture('sentry-webhook-issue-created.json');
    expect(await parseSentryWebhook(delivery('', raw), options)).toMatchObject({
      ok: false,
      status: 400,
      details: [{ path: 'headers.sentry-hook-resource' }],
    });
    const body = Buffer.from(JSON.stringify({ action: 'exploded', data: { issue: { title: 5 } } }));
    const result = await parseSentryWebhook(delivery('issue', body), options);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.details?.map((d) => d.path).sort()).toEqual(['action', 'data.issue.id', 'data.issue.title']);
  });
});

describe('Sentry webhook replay protection', () => {
  const options = { sentryWebhookSecrets: [SECRET], sentryWebhookMaxAgeSeconds: 300 };
  const raw = fixture('sentry-webhook-issue-created.json');
  const at = (secondsAgo: number) => String(Math.floor(RECEIVED_AT.getTime() / 1000) - secondsAgo);

  it('refuses a Sentry-Hook-Timestamp older than the window, and one far in the future', async () => {
    expect((await parseSentryWebhook(delivery('issue', raw, { 'sentry-hook-timestamp': at(299) }), options)).ok).toBe(true);
    expect(await parseSentryWebhook(delivery('issue', raw, { 'sentry-hook-timestamp': at(301) }), options)).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(await parseSentryWebhook(delivery('issue', raw, { 'sentry-hook-timestamp': at(-3600) }), options)).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(await parseSentryWebhook(delivery('issue', raw, { 'sentry-hook-timestamp': 'yesterday' }), options)).toMatchObject({
      ok: false,
      status: 400,
    });
  });

  it('names a delivery by its request id and its body', () => {
    const keys = sentryWebhookReplayKeys(delivery('issue', raw));
    expect(keys).toContain('id:7c5b2a1e-0000-4000-8000-000000000001');
    expect(keys.find((k) => k.startsWith('body:'))).toMatch(/^body:[0-9a-f]{64}$/);
    expect(sentryWebhookReplayKeys(delivery('issue', Buffer.from('{}')))).not.toEqual(keys);
  });
});
