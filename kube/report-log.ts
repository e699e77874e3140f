/**
 * The reconcilers' memory of what they already reported, in Redis so that relists, restarts and
 * leader failovers do not notify again: one key per reported incident, with a TTL. A report is
 * marked only after the alert was handed to the sink (at-least-once): a crash in between means it
 * is handed over again on the next reconcile, and the pipeline deduplicates it by fingerprint.
 */
import type { Redis } from 'ioredis';
import { kubeKeys } from '../core/redis-keys.ts';

export interface ReportLog {
  /** True when the report was marked (handed to the sink) and the mark has not expired. */
  has(id: string): Promise<boolean>;
  /** The value kept with the mark, or undefined when unmarked. */
  get(id: string): Promise<string | undefined>;
  /** The values of several marks at once (undefined where unmarked). */
  getMany(ids: string[]): Promise<Array<string | undefined>>;
  /** Marks a report handed over, keeping `value` (default: now in epoch ms) for `ttlSeconds`. */
  mark(id: string, ttlSeconds?: number, value?: string): Promise<void>;
  /** Sets the value only when the id is not set yet (first sighting); true when this call set it. */
  claim(id: string, ttlSeconds?: number, value?: string): Promise<boolean>;
  /** Removes the mark (the incident it stood for is over). */
  release(id: string): Promise<void>;
}

export function createReportLog(opts: { redis: Redis; prefix: string; ttlSeconds: number }): ReportLog {
  const key = kubeKeys(opts.prefix).reported;
  return {
    async has(id) {
      return (await opts.redis.exists(key(id))) === 1;
    },
    async get(id) {
      return (await opts.redis.get(key(id))) ?? undefined;
    },
    async getMany(ids) {
      if (!ids.length) return [];
      return (await opts.redis.mget(...ids.map(key))).map((v) => v ?? undefined);
    },
    async mark(id, ttl, value) {
      await opts.redis.set(key(id), value ?? String(Date.now()), 'EX', ttl ?? opts.ttlSeconds);
    },
    async claim(id, ttl, value) {
      return (await opts.redis.set(key(id), value ?? String(Date.now()), 'EX', ttl ?? opts.ttlSeconds, 'NX')) === 'OK';
    },
    async release(id) {
      await opts.redis.del(key(id));
    },
  };
}
