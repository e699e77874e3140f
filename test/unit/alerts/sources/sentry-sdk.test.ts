import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseSentryEnvelope, parseSentryStore } from '../../../../alerts/sources/sentry-sdk.ts';
import type { IntakeResult, SourceOptions } from '../../../../alerts/sources/types.ts';
import { RECEIVED_AT, fixture, intakeRequest } from './intake-request.ts';

function ok(result: IntakeResult) {
  if (!result.ok) throw new Error(`expected ok, got ${result.status} ${result.error} ${JSON.stringify(result.details)}`);
  return result;
}

const params = { projectId: '42' };
const sdkQuery = { sentry_version: '7', sentry_key: 'publickey', sentry_client: 'sentry.javascript.node/10.78.0' };
const projects: SourceOptions = { sentryProjects: { '42': { keys: ['publickey'] } } };

function envelope(header: object, ...items: Array<[object, Buffer | string]>): Buffer {
  const parts: Buffer[] = [Buffer.from(`${JSON.stringify(header)}\n`)];
  for (const [h, payload] of items) {
    parts.push(Buffer.from(`${JSON.stringify(h)}\n`), Buffer.isBuffer(payload) ? payload : Buffer.from(payload), Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

describe('Sentry SDK envelopes', () => {
  it('turns the envelope @sentry/node sends for captureException into an event', async () => {
    const { alerts, events } = ok(
      await parseSentryEnvelope(intakeRequest(fixture('sentry-envelope-exception.envelope'), { params, query: sdkQuery }), projects),
    );
    expect(alerts).toEqual([]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      projectId: '42',
      eventId: 'd44b6a46514043f9a5cffff34f4d49d4',
      title: "TypeError: Cannot read properties of undefined (reading 'amount')",
      level: 'error',
      environment: 'production',
      release: 'payments@2.14.0',
      platform: 'node',
      serverName: 'payments-api-7c9d8-xk2lp',
      tags: { 'k8s.namespace': 'payments' },
      contexts: { runtime: { name: 'node', version: 'v20.20.2' } },
      subject: { namespace: 'payments', node: 'payments-api-7c9d8-xk2lp' },
      grouping: ['exception', 'TypeError', "Cannot read properties of undefined (reading 'amount')"],
    });
    expect(events[0]?.groupKey).toMatch(/^[0-9a-f]{16}$/);
    expect(events[0]?.timestamp).toBe(new Date(1795735334589).toISOString());
  });

  it('groups messages by their parameterised text', async () => {
    const a = ok(await parseSentryEnvelope(intakeRequest(fixture('sentry-envelope-message.envelope'), { params, query: sdkQuery }), {}))
      .events[0];
    const other = fixture('sentry-envelope-message.envelope').toString().replace('Killed process 4242', 'Killed process 5151');
    const b = ok(await parseSentryEnvelope(intakeRequest(other, { params, query: sdkQuery }), {})).events[0];
    expect(a?.title).toBe('OOM: Killed process 4242 (java) in pod payments-api-7c9d8-xk2lp');
    expect(a?.grouping).toEqual(['message', 'OOM: Killed process <int> (java) in pod payments-api-7c9d8-xk2lp']);
    expect(a?.groupKey).toBe(b?.groupKey);
  });

  it('reads several items, skips binary attachments by length and ignores non-event items', async () => {
    const binary = Buffer.from([0x00, 0x0a, 0xff, 0xfe, 0x0a, 0x7b, 0x0a, 0x0a, 0x01]);
    const body = envelope(
      { event_id: '9ec79c33ec9942ab8353589fcb2e04dc', dsn: 'https://publickey@sentry.example.com/42', sent_at: '2026-11-26T21:00:00Z' },
      [{ type: 'session' }, '{"sid":"7c5b2a","status":"ok","errors":0,"started":"2026-11-26T20:59:00Z"}'],
      [{ type: 'client_report' }, '{"timestamp":1795735334,"discarded_events":[]}'],
      [{ type: 'attachment', length: binary.length, filename: 'core.bin', content_type: 'application/octet-stream' }, binary],
      [
        { type: 'event', content_type: 'application/json' },
        JSON.stringify({
          event_id: '9ec79c33ec9942ab8353589fcb2e04dc',
          message: { formatted: 'Disk full on /var/lib/mysql' },
          level: 'fatal',
          tags: [
            ['pod', 'mysql-0'],
            ['namespace', 'db'],
          ],
        }),
      ],
      [{ type: 'transaction' }, '{"type":"transaction","transaction":"GET /","spans":[]}'],
      [{ type: 'check_in' }, '{"check_in_id":"a","monitor_slug":"backup","status":"ok"}'],
    );
    const { events } = ok(await parseSentryEnvelope(intakeRequest(body, { params }), projects));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ title: 'Disk full on /var/lib/mysql', level: 'fatal', subject: { namespace: 'db', pod: 'mysql-0' } });
  });

  it('reads a JSON item by its length even when it spans lines, with no trailing newline', async () => {
    const payload = Buffer.from('{\n  "message": "multi\\nline",\n  "level": "warning"\n}');
    const body = Buffer.concat([Buffer.from(`{}\n${JSON.stringify({ type: 'event', length: payload.length })}\n`), payload]);
    const [e] = ok(await parseSentryEnvelope(intakeRequest(body, { params }), {})).events;
    expect(e).toMatchObject({ title: 'multi', message: 'multi\nline', level: 'warning' });
  });

  it('uses an explicit fingerprint and expands {{ default }}', async () => {
    const event = {
      message: 'Killed process 1 (java)',
      fingerprint: ['{{ default }}', 'oom', '{{ tags.node }}'],
      tags: { node: 'node-7' },
    };
    const body = envelope({}, [{ type: 'event' }, JSON.stringify(event)]);
    const [e] = ok(await parseSentryEnvelope(intakeRequest(body, { params }), {})).events;
    expect(e?.grouping).toEqual(['message', 'Killed process <int> (java)', 'oom', 'node-7']);
    const plain = envelope({}, [{ type: 'event' }, JSON.stringify({ ...event, fingerprint: ['oom'] })]);
    expect(ok(await parseSentryEnvelope(intakeRequest(plain, { params }), {})).events[0]?.grouping).toEqual(['oom']);
  });

  it('turns error-level structured logs into events and ignores lower levels', async () => {
    const logs = {
      items: [
        {
          timestamp: 1795735334.5,
          level: 'error',
          body: 'container java in pod db/mysql-0 OOM-killed (pid 4242)',
          trace_id: 'a'.repeat(32),
          attributes: {
            'sentry.environment': { value: 'production', type: 'string' },
            'k8s.node.name': { value: 'node-7', type: 'string' },
          },
        },
        { timestamp: 1795735334.6, level: 'info', body: 'all good' },
      ],
    };
    const body = envelope({}, [
      { type: 'log', item_count: 2, content_type: 'application/vnd.sentry.items.log+json' },
      JSON.stringify(logs),
    ]);
    const { events } = ok(await parseSentryEnvelope(intakeRequest(body, { params }), {}));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      level: 'error',
      environment: 'production',
      subject: { node: 'node-7' },
      grouping: ['log', 'container java in pod db/mysql-<int> OOM-killed (pid <int>)'],
    });
  });

  it('accepts gzip and deflate bodies', async () => {
    const raw = fixture('sentry-envelope-exception.envelope');
    for (const [encoding, body] of [
      ['gzip', gzipSync(raw)],
      ['deflate', deflateSync(raw)],
    ] as const) {
      const result = await parseSentryEnvelope(
        intakeRequest(body, { params, query: sdkQuery, headers: { 'content-encoding': encoding } }),
        projects,
      );
      expect(ok(result).events).toHaveLength(1);
    }
  });

  it('checks the key from X-Sentry-Auth, the query or the envelope dsn', async () => {
    const raw = fixture('sentry-envelope-exception.envelope');
    const auth = { 'x-sentry-auth': 'Sentry sentry_key=publickey, sentry_version=7, sentry_client=sentry.python/2.19.0' };
    expect((await parseSentryEnvelope(intakeRequest(raw, { params, headers: auth }), projects)).ok).toBe(true);
    expect(await parseSentryEnvelope(intakeRequest(raw, { params }), projects)).toMatchObject({ ok: false, status: 401 });
    expect(await parseSentryEnvelope(intakeRequest(raw, { params, query: { sentry_key: 'stolen' } }), projects)).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(await parseSentryEnvelope(intakeRequest(raw, { params: { projectId: '7' }, query: sdkQuery }), projects)).toMatchObject({
      ok: false,
      status: 401,
    });
    const withDsn = envelope({ dsn: 'http://publickey@127.0.0.1:8080/42' }, [{ type: 'event' }, '{"message":"x"}']);
    expect((await parseSentryEnvelope(intakeRequest(withDsn, { params }), projects)).ok).toBe(true);
    expect((await parseSentryEnvelope(intakeRequest(raw, { params, query: { sentry_key: 'anything' } }), {})).ok).toBe(true);
  });

  it('reports framing errors with the item path', async () => {
    const short = Buffer.concat([Buffer.from('{}\n{"type":"attachment","length":100}\n'), Buffer.from('abc')]);
    expect(await parseSentryEnvelope(intakeRequest(short, { params }), {})).toMatchObject({
      ok: false,
      status: 400,
      details: [{ path: 'items[0].header.length' }],
    });
    const badEvent = envelope({}, [{ type: 'event' }, '{"level":5,"tags":"x"}']);
    const result = await parseSentryEnvelope(intakeRequest(badEvent, { params }), {});
    expect(result).toMatchObject({ ok: false, status: 400 });
    if (!result.ok) expect(result.details?.map((d) => d.path).sort()).toEqual(['items[0].payload.level', 'items[0].payload.tags']);
    expect(await parseSentryEnvelope(intakeRequest(envelope({}), { params: { projectId: '../etc' } }), {})).toMatchObject({
      ok: false,
      status: 400,
      details: [{ path: 'projectId' }],
    });
  });
});

describe('Sentry SDK store endpoint', () => {
  const event = {
    event_id: 'fc6d8c0c43fc4630ad850ee518f1b9d0',
    exception: {
      values: [
        { type: 'ValueError', value: 'bad' },
        { type: 'RuntimeError', value: 'wrapped: bad' },
      ],
    },
    level: 'error',
    timestamp: '2026-11-26T21:00:00Z',
    server_name: 'node-7',
  };

  it('accepts a gzip body and groups by the last exception', async () => {
    const body = gzipSync(Buffer.from(JSON.stringify(event)));
    const req = intakeRequest(body, {
      params,
      headers: { 'content-encoding': 'gzip', 'x-sentry-auth': 'Sentry sentry_version=7, sentry_key=publickey' },
    });
    const [e] = ok(await parseSentryStore(req, projects)).events;
    expect(e).toMatchObject({
      title: 'RuntimeError: wrapped: bad',
      grouping: ['exception', 'RuntimeError', 'wrapped: bad'],
      timestamp: '2026-11-26T21:00:00.000Z',
      subject: { node: 'node-7' },
    });
  });

  it('accepts the legacy base64 zlib body and falls back to the receive time', async () => {
    const body = deflateSync(Buffer.from(JSON.stringify({ message: 'legacy' }))).toString('base64');
    const [e] = ok(await parseSentryStore(intakeRequest(body, { params }), {})).events;
    expect(e).toMatchObject({ title: 'legacy', timestamp: RECEIVED_AT.toISOString() });
    expect(e?.eventId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('ignores transactions and rejects a wrong key before reading the body', async () => {
    expect(ok(await parseSentryStore(intakeRequest({ type: 'transaction', transaction: 'GET /' }, { params }), {})).events).toEqual([]);
    expect(await parseSentryStore(intakeRequest('garbage', { params, query: { sentry_key: 'nope' } }), projects)).toMatchObject({
      ok: false,
      status: 401,
    });
  });
});
