import type { Redis } from 'ioredis';

/** The verdict for one command: allowed, or refused until `retryAfterMs` from now. */
export type RateVerdict = { allowed: true; remaining: number } | { allowed: false; retryAfterMs: number };

/** Counts commands per user in fixed windows shared by every replica. */
export interface RateLimiter {
  take(userKey: string): Promise<RateVerdict>;
}

/**
 * A fixed-window limiter on Redis: one counter per user and window (`INCR` + `PEXPIRE`), so the
 * limit holds across replicas. `limit: 0` allows everything without touching Redis.
 */
export function createRateLimiter(opts: {
  redis: Redis;
  prefix: string;
  limit: number;
  windowSeconds: number;
  now?: () => number;
}): RateLimiter {
  const { redis, prefix, limit } = opts;
  const windowMs = opts.windowSeconds * 1000;
  const now = opts.now ?? Date.now;
  return {
    async take(userKey) {
      if (limit <= 0) return { allowed: true, remaining: Infinity };
      const t = now();
      const window = Math.floor(t / windowMs);
      const key = `${prefix}:ratelimit:${userKey}:${window}`;
      const results = await redis
        .multi()
        .incr(key)
        .pexpire(key, windowMs * 2)
        .exec();
      const count = Number(results?.[0]?.[1] ?? 0);
      if (count <= limit) return { allowed: true, remaining: limit - count };
      return { allowed: false, retryAfterMs: (window + 1) * windowMs - t };
    },
  };
}
