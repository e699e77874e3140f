import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { deletePrefix } from '../../../app/redis.ts';
import { createSlidingWindowLimiter } from '../../../core/rate-limit.ts';
import { testPrefix } from '../../helpers/deps.ts';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = testPrefix('rate-limit');
const redis = new Redis(url);

afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

describe('sliding-window limiter', () => {
  it('allows max takes in any window and says how long to wait for the next', async () => {
    const limiter = createSlidingWindowLimiter(redis);
    const key = `${prefix}:a`;
    const limit = { max: 3, windowMs: 1000 };
    expect(await limiter.take(key, limit, 10_000)).toEqual({ allowed: true, remaining: 2 });
    expect(await limiter.take(key, limit, 10_400)).toEqual({ allowed: true, remaining: 1 });
    expect(await limiter.take(key, limit, 10_500)).toEqual({ allowed: true, remaining: 0 });
    expect(await limiter.take(key, limit, 10_600)).toEqual({ allowed: false, retryAfterMs: 400 });
    // A refused take is not counted; the oldest take leaves the window at 11 000.
    expect(await limiter.take(key, limit, 11_001)).toEqual({ allowed: true, remaining: 0 });
    expect(await limiter.take(key, limit, 11_100)).toEqual({ allowed: false, retryAfterMs: 300 });
  });

  it('keeps keys apart and shares the limit between connections (replicas)', async () => {
    const other = new Redis(url);
    try {
      const a = createSlidingWindowLimiter(redis);
      const b = createSlidingWindowLimiter(other);
      const limit = { max: 2, windowMs: 60_000 };
      const now = 5_000;
      expect((await a.take(`${prefix}:b`, limit, now)).allowed).toBe(true);
      expect((await b.take(`${prefix}:b`, limit, now)).allowed).toBe(true);
      expect((await b.take(`${prefix}:b`, limit, now)).allowed).toBe(false);
      expect((await a.take(`${prefix}:c`, limit, now)).allowed).toBe(true);
      expect(await redis.pttl(`${prefix}:b`)).toBeGreaterThan(0);
    } finally {
      other.disconnect();
    }
  });
});
