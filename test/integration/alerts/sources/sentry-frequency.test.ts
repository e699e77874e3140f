import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSentryFrequencyCounter, frequencyRuleSchema } from '../../../../alerts/sources/sentry-frequency.ts';
import type { SentryEvent } from '../../../../alerts/sources/types.ts';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test:sentry-frequency:${randomUUID()}`;
const rules = [frequencyRuleSchema.parse({ name: 'ContainerOOM', count: 2, windowSeconds: 20, match: { level: ['error', 'fatal'] } })];

let redis: Redis;
let replica: Redis;

function event(groupKey: string, eventId: string, level: SentryEvent['level'] = 'error'): SentryEvent {
  return {
    projectId: '42',
    groupKey,
    grouping: ['log', 'OOM'],
    eventId,
    title: 'OOM killed java',
    level,
    timestamp: '2026-11-26T21:00:00.000Z',
    tags: {},
    contexts: {},
    subject: { node: 'node-7' },
  };
}

beforeAll(() => {
  redis = new Redis(url);
  replica = new Redis(url);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  replica.disconnect();
});

describe('Sentry frequency counter on Redis', () => {
  it('fires when the second event of a group arrives inside the window', async () => {
    const counter = createSentryFrequencyCounter({ redis, prefix, rules });
    const t0 = new Date('2026-11-26T21:00:00Z');
    expect(await counter.observe([event('g1', 'e1')], t0)).toEqual([]);
    const alerts = await counter.observe([event('g1', 'e2')], new Date(t0.getTime() + 5_000));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      fingerprint: 'g1',
      status: 'firing',
      labels: { alertname: 'ContainerOOM' },
      annotations: { count: '2' },
    });
  });

  it('does not fire for events further apart than the window, nor for a redelivered event', async () => {
    const counter = createSentryFrequencyCounter({ redis, prefix, rules });
    const t0 = new Date('2026-11-26T21:00:00Z');
    expect(await counter.observe([event('g2', 'e1')], t0)).toEqual([]);
    expect(await counter.observe([event('g2', 'e2')], new Date(t0.getTime() + 25_000))).toEqual([]);
    expect(await counter.observe([event('g2', 'e2')], new Date(t0.getTime() + 26_000))).toEqual([]);
    expect(await counter.observe([event('g2', 'e3')], new Date(t0.getTime() + 27_000))).toHaveLength(1);
  });

  it('ignores events no rule matches and keeps the key bounded in time', async () => {
    const counter = createSentryFrequencyCounter({ redis, prefix, rules });
    const now = new Date();
    expect(await counter.observe([event('g3', 'e1', 'info'), event('g3', 'e2', 'info')], now)).toEqual([]);
    expect(await redis.exists(`${prefix}:sentry-frequency:42:g3`)).toBe(0);
    await counter.observe([event('g4', 'e1')], now);
    const ttl = await redis.pttl(`${prefix}:sentry-frequency:42:g4`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(20_000);
  });

  it('counts correctly across replicas delivering concurrently', async () => {
    const a = createSentryFrequencyCounter({ redis, prefix, rules });
    const b = createSentryFrequencyCounter({ redis: replica, prefix, rules });
    const now = new Date();
    const batches = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).observe([event('g5', `e${i}`)], now));
    const results = (await Promise.all(batches)).flat();
    const counts = results.map((r) => Number(r.annotations.count)).sort((x, y) => x - y);
    expect(counts).toEqual(Array.from({ length: 19 }, (_, i) => i + 2));
    expect(await redis.zcard(`${prefix}:sentry-frequency:42:g5`)).toBe(20);
  });

  it('returns one alert per group for a batch', async () => {
    const counter = createSentryFrequencyCounter({ redis, prefix, rules });
    const alerts = await counter.observe([event('g6', 'e1'), event('g6', 'e2'), event('g6', 'e3'), event('g7', 'e1')], new Date());
    expect(alerts.map((x) => [x.fingerprint, x.annotations.count])).toEqual([['g6', '3']]);
  });
});
