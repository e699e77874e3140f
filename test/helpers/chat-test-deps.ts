import { randomBytes } from 'node:crypto';
import { configSchema, type ConfigInput } from '../../bot/config-schema.ts';
import { createDeps, type Deps } from '../../bot/deps.ts';
import { createLogger } from '../../bot/logger.ts';

/**
 * Real `Deps` on the test Redis with a fresh key prefix. `close()` deletes every key under the
 * prefix and stops what the deps started.
 */
export async function createChatTestDeps(input: ConfigInput = {}): Promise<Deps & { close(): Promise<void> }> {
  const prefix = `{test-${randomBytes(4).toString('hex')}}`;
  const config = configSchema.parse({
    ...input,
    redis: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', embedded: false, ...input.redis, prefix },
    log: { level: 'silent' },
  });
  const deps = await createDeps(config, createLogger('silent'));
  await deps.lifecycle.start();
  return {
    ...deps,
    async close() {
      let cursor = '0';
      do {
        const [next, keys] = await deps.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length > 0) await deps.redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await deps.lifecycle.stop(2000);
    },
  };
}
