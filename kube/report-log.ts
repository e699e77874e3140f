/**
 * The reconcilers' memory of what they already reported, in Redis so that relists, restarts and
 * leader failovers never notify twice: one `SET key NX EX ttl` per reported incident. A claim
 * is taken before the alert is handed to the sink and given back when the sink fails, so a
 * retry can report it.
 */
import type { Redis } from 'ioredis';

export interface ReportLog {
  /** True when this call took the claim (the incident was not reported yet). `value` is kept with it. */
  claim(id: string, ttlSeconds?: number, value?: string): Promise<boolean>;
  /** Removes a claim and returns its value, or undefined when there was none (exactly one caller gets it). */
  take(id: string): Promise<string | undefined>;
  get(id: string): Promise<string | undefined>;
  /** The values of several claims at once (undefined where there is none). */
  getMany(ids: string[]): Promise<Array<string | undefined>>;
  /** Replaces the value of a claim (or takes it), keeping it for `ttlSeconds`. */
  put(id: string, value: string, ttlSeconds?: number): Promise<void>;
  /** Gives a claim back (the report failed). */
  release(id: string): Promise<void>;
  has(id: string): Promise<boolean>;
}

export function createReportLog(opts: { redis: Redis; prefix: string; ttlSeconds: number }): ReportLog {
  const key = (id: string) => `${opts.prefix}reported:${id}`;
  return {
    async claim(id, ttl, value) {
      return (await opts.redis.set(key(id), value ?? String(Date.now()), 'EX', ttl ?? opts.ttlSeconds, 'NX')) === 'OK';
    },
    async take(id) {
      return (await opts.redis.getdel(key(id))) ?? undefined;
    },
    async get(id) {
      return (await opts.redis.get(key(id))) ?? undefined;
    },
    async getMany(ids) {
      if (!ids.length) return [];
      return (await opts.redis.mget(...ids.map(key))).map((v) => v ?? undefined);
    },
    async put(id, value, ttl) {
      await opts.redis.set(key(id), value, 'EX', ttl ?? opts.ttlSeconds);
    },
    async release(id) {
      await opts.redis.del(key(id));
    },
    async has(id) {
      return (await opts.redis.exists(key(id))) === 1;
    },
  };
}
