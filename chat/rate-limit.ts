import type { Redis } from 'ioredis';
import { createSlidingWindowLimiter, type RateVerdict } from '../core/rate-limit.ts';
import { redisKeys } from '../core/redis-keys.ts';

export type { RateVerdict } from '../core/rate-limit.ts';

/** Counts commands per user in a window shared by every replica. */
export interface RateLimiter {
  take(userKey: string): Promise<RateVerdict>;
}

/**
 * At most `limit` commands per user within any `windowSeconds`, on the shared Redis sliding-window
 * limiter (core/rate-limit.ts), so the limit holds across replicas. `limit: 0` allows everything
 * without touching Redis.
 */
export function createRateLimiter(opts: {
  redis: Redis;
  prefix: string;
  limit: number;
  windowSeconds: number;
  now?: () => number;
}): RateLimiter {
  const { limit } = opts;
  const keys = redisKeys(opts.prefix);
  const limiter = createSlidingWindowLimiter(opts.redis);
  const window = { max: limit, windowMs: opts.windowSeconds * 1000 };
  const now = opts.now ?? Date.now;
  return {
    async take(userKey) {
      if (limit <= 0) return { allowed: true, remaining: Infinity };
      return limiter.take(keys.chatRateLimit(userKey), window, now());
    },
  };
}
