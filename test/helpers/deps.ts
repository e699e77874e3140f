import { randomBytes } from 'node:crypto';
import { createDeps, type Deps, type DepsOptions } from '../../app/deps.ts';
import { configSchema, type ConfigInput } from '../../app/config-schema.ts';
import { createLogger } from '../../core/logger.ts';
import { deletePrefix } from '../../app/redis.ts';
import { sources } from '../../alerts/sources/index.ts';

/** Every intake source: tests open them unless they configure otherwise (production opens none). */
export const allSources = sources.map((s) => s.name);

/** A unique key/queue prefix per test, so tests never see each other's data in Redis. */
export function testPrefix(name = 'test'): string {
  return `{fm-${name}-${randomBytes(4).toString('hex')}}`;
}

/**
 * Real `Deps` for an integration test: the Redis the global setup found, a fresh prefix,
 * HTTP on port 0, silent logs, the API and every intake source open unless `input` says otherwise
 * (as the embedded demo has them). Call `stop()` (or `deps.lifecycle.stop`) in `afterEach`.
 */
export async function createTestDeps(input: ConfigInput = {}, opts: DepsOptions = {}): Promise<Deps & { stop(): Promise<void> }> {
  const config = configSchema.parse({
    ...input,
    alerts: {
      ...input.alerts,
      api: { open: true, ...input.alerts?.api },
      sources: { open: allSources, ...input.alerts?.sources },
    },
    server: { port: 0, host: '127.0.0.1', ...input.server },
    log: { level: 'silent', ...input.log },
    kube: { mode: 'off', ...input.kube },
    redis: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: testPrefix(), embedded: false, ...input.redis },
  });
  const deps = await createDeps(config, createLogger(config.log.level), opts);
  return Object.assign(deps, {
    /** Stops every component first (workers may still write), then removes the test's keys. */
    async stop() {
      await deps.lifecycle.stop(5000);
      await deletePrefix(deps.redisEndpoint.url, config.redis.prefix);
    },
  });
}
