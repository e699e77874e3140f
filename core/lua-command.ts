import type { Redis } from 'ioredis';

/**
 * A Lua script as a command of `redis` under `name`: registered once per connection (ioredis
 * sends it with EVALSHA and loads it again when Redis lost it), bound to the connection. Without
 * `numberOfKeys` the caller passes the key count first.
 */
export function luaCommand<F>(redis: Redis, name: string, lua: string, numberOfKeys?: number): F {
  if (!(name in redis)) redis.defineCommand(name, { lua, ...(numberOfKeys !== undefined ? { numberOfKeys } : {}) });
  return (redis as unknown as Record<string, (...args: unknown[]) => unknown>)[name]!.bind(redis) as F;
}
