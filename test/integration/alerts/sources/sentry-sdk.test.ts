/**
 * An unmodified @sentry/node delivers to a local server that hands every request to the envelope
 * and store parsers, exactly as the HTTP layer would.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as Sentry from '@sentry/node';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSentryFrequencyCounter, frequencyRuleSchema } from '../../../../alerts/sources/sentry-frequency.ts';
import { parseSentryEnvelope, parseSentryStore } from '../../../../alerts/sources/sentry-sdk.ts';
import type { IntakeRequest, IntakeResult, SourceOptions } from '../../../../alerts/sources/types.ts';

interface Delivery {
  path: string;
  headers: IntakeRequest['headers'];
  result: IntakeResult;
}

const options: SourceOptions = { sentryProjects: { '42': { keys: ['publickey'] } } };
const deliveries: Delivery[] = [];
let waiters: Array<() => void> = [];

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => void answer());
  const answer = async () => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = /^\/api\/([^/]+)\/(envelope|store)\/$/.exec(url.pathname);
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const intake: IntakeRequest = {
      params: { projectId: m[1] ?? '' },
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      rawBody: Buffer.concat(chunks),
      receivedAt: new Date(),
    };
    const result = m[2] === 'envelope' ? await parseSentryEnvelope(intake, options) : await parseSentryStore(intake, options);
    deliveries.push({ path: url.pathname, headers: req.headers, result });
    for (const w of waiters) w();
    waiters = [];
    if (result.ok) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    else
      res
        .writeHead(result.status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: result.error, details: result.details }));
  };
});

async function next(count: number): Promise<Delivery[]> {
  while (deliveries.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
  return deliveries.slice(0, count);
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Sentry.init({
    dsn: `http://publickey@127.0.0.1:${port}/42`,
    environment: 'production',
    release: 'payments@2.14.0',
    serverName: 'node-7',
    defaultIntegrations: false,
    tracesSampleRate: 0,
  });
});

afterAll(async () => {
  await Sentry.close(2000);
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('@sentry/node delivering to the envelope parser', () => {
  it('captureException, captureMessage and a large (gzip) event all arrive as events', async () => {
    Sentry.setTag('k8s.namespace', 'payments');
    Sentry.setTag('pod', 'payments-api-7c9d8-xk2lp');
    const exceptionId = Sentry.captureException(new RangeError('amount out of range: -3'));
    const messageId = Sentry.captureMessage('OOM: Killed process 4242 (java)', 'fatal');
    const largeId = Sentry.captureMessage('payload dump', { level: 'error', extra: { dump: 'x'.repeat(48 * 1024) } });
    await Sentry.flush(5000);
    const got = await next(3);

    for (const d of got) {
      expect(d.path).toBe('/api/42/envelope/');
      expect(d.result.ok, JSON.stringify(d.result)).toBe(true);
    }
    expect(got.some((d) => d.headers['content-encoding'] === 'gzip')).toBe(true);
    const events = got.flatMap((d) => (d.result.ok ? d.result.events : []));
    const byId = new Map(events.map((e) => [e.eventId, e]));
    expect(byId.get(exceptionId)).toMatchObject({
      projectId: '42',
      title: 'RangeError: amount out of range: -3',
      level: 'error',
      environment: 'production',
      release: 'payments@2.14.0',
      platform: 'node',
      grouping: ['exception', 'RangeError', 'amount out of range: -<int>'],
      subject: { namespace: 'payments', pod: 'payments-api-7c9d8-xk2lp' },
    });
    expect(byId.get(messageId)).toMatchObject({ title: 'OOM: Killed process 4242 (java)', level: 'fatal', serverName: 'node-7' });
    expect(byId.get(largeId)).toMatchObject({ title: 'payload dump', level: 'error' });
  });
});

describe('SDK events through a frequency rule', () => {
  it('two OOM reports of one process within 20 s become one firing alert', async () => {
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const prefix = `test:sentry-sdk:${randomUUID()}`;
    try {
      const counter = createSentryFrequencyCounter({
        redis,
        prefix,
        rules: [frequencyRuleSchema.parse({ name: 'ContainerOOM', count: 2, windowSeconds: 20, match: { tags: { monitor: 'oom' } } })],
      });
      const before = deliveries.length;
      Sentry.withScope((scope) => {
        scope.setTag('monitor', 'oom');
        Sentry.captureMessage('Memory cgroup out of memory: Killed process 5001 (mysqld)', 'error');
      });
      await Sentry.flush(5000);
      const first = (await next(before + 1)).at(-1);
      expect(first?.result.ok && (await counter.observe(first.result.events))).toEqual([]);
      Sentry.withScope((scope) => {
        scope.setTag('monitor', 'oom');
        Sentry.captureMessage('Memory cgroup out of memory: Killed process 5002 (mysqld)', 'error');
      });
      await Sentry.flush(5000);
      const second = (await next(before + 2)).at(-1);
      const alerts = second?.result.ok ? await counter.observe(second.result.events) : [];
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({
        source: 'sentry',
        status: 'firing',
        labels: { alertname: 'ContainerOOM', project: '42', environment: 'production' },
        annotations: { count: '2', summary: 'Memory cgroup out of memory: Killed process 5002 (mysqld)' },
      });
    } finally {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });
});

describe('store endpoint', () => {
  it('rejects a foreign key with 401 and accepts the configured one', async () => {
    const { port } = server.address() as AddressInfo;
    const body = JSON.stringify({ message: 'from an old SDK', level: 'error' });
    const bad = await fetch(`http://127.0.0.1:${port}/api/42/store/`, {
      method: 'POST',
      body,
      headers: { 'x-sentry-auth': 'Sentry sentry_key=wrong, sentry_version=7' },
    });
    expect(bad.status).toBe(401);
    const good = await fetch(`http://127.0.0.1:${port}/api/42/store/?sentry_key=publickey&sentry_version=7`, { method: 'POST', body });
    expect(good.status).toBe(200);
    const last = deliveries.at(-1)?.result;
    expect(last?.ok && last.events[0]?.title).toBe('from an old SDK');
  });
});
