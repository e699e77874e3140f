import type { Redis } from 'ioredis';

/**
 * Remembers deliveries by the keys their source names them with (Sentry webhooks: request id and
 * body digest) for `windowMs`, so a replayed delivery is processed once. A delivery that could not
 * be stored is released again, so the sender's retry is not mistaken for a replay.
 */
export interface ReplayGuard {
  /** `first` when none of `keys` was seen within the window (they are remembered from now on). */
  claim(source: string, keys: readonly string[]): Promise<'first' | 'replayed'>;
  release(source: string, keys: readonly string[]): Promise<void>;
}

export function createReplayGuard(o: { redis: Redis; prefix: string; windowMs: number }): ReplayGuard {
  const key = (source: string, k: string) => `${o.prefix}:replay:${source}:${k}`;
  return {
    async claim(source, keys) {
      const tx = o.redis.multi();
      for (const k of keys) tx.set(key(source, k), '1', 'PX', o.windowMs, 'NX');
      const res = (await tx.exec()) ?? [];
      for (const [err] of res) if (err) throw err;
      return res.every(([, v]) => v === 'OK') ? 'first' : 'replayed';
    },
    async release(source, keys) {
      await o.redis.del(...keys.map((k) => key(source, k)));
    },
  };
}
