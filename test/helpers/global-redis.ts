import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisAnswers, startPrivateRedis } from '../../app/redis.ts';

/**
 * Vitest global setup for integration tests: uses REDIS_URL (default the local Redis) when it
 * answers, otherwise starts a private `redis-server` on a free port for the run.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await redisAnswers(url)) {
    process.env.REDIS_URL = url;
    return async () => {};
  }
  const server = await startPrivateRedis({ dir: mkdtempSync(join(tmpdir(), 'firstmate-test-redis-')), appendonly: false });
  process.env.REDIS_URL = server.url;
  return () => server.stop();
}
