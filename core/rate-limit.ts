/**
 * One rate limiter on Redis for every caller (chat commands per user, notifications per
 * destination): a sliding-window log in a sorted set, updated by one Lua script
 * (`rate-limit.lua`), so the limit holds across replicas and never lets a burst of twice the limit
 * through at a window boundary. The caller names the key (see core/redis-keys.ts and
 * alerts/pipeline/keys.ts) and brings its own connection.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { luaCommand } from './lua-command.ts';

const lua = readFileSync(new URL('./rate-limit.lua', import.meta.url), 'utf8');
const COMMAND = 'fmSlidingWindowTake';

/** At most `max` takes within any `windowMs`. */
export interface RateLimit {
  max: number;
  windowMs: number;
}

/** The verdict for one take: allowed (with what is left in the window), or refused for `retryAfterMs`. */
export type RateVerdict = { allowed: true; remaining: number } | { allowed: false; retryAfterMs: number };

export interface SlidingWindowLimiter {
  /** Takes one slot of `key` when the window has room; a refused take is not counted. */
  take(key: string, limit: RateLimit, now?: number): Promise<RateVerdict>;
}

type TakeCommand = (key: string, now: number, windowMs: number, max: number, id: string) => Promise<[number, number]>;

/** A limiter on this connection (the script is registered once per connection, EVALSHA with reload). */
export function createSlidingWindowLimiter(redis: Redis): SlidingWindowLimiter {
  const run = luaCommand<TakeCommand>(redis, COMMAND, lua, 1);
  return {
    async take(key, limit, now = Date.now()) {
      const id = `${now}-${randomBytes(6).toString('hex')}`;
      const [wait, count] = await run(key, now, limit.windowMs, limit.max, id);
      return wait > 0
        ? { allowed: false, retryAfterMs: Number(wait) }
        : { allowed: true, remaining: Math.max(0, limit.max - Number(count)) };
    },
  };
}
