import { randomBytes } from 'node:crypto';
import { createApp } from '../../bot/app.ts';
import { configSchema, type ConfigInput } from '../../bot/config-schema.ts';
import { createDeps, type Deps } from '../../bot/deps.ts';
import { createLogger } from '../../bot/logger.ts';
import type { FakeSlack } from './fake-slack.ts';

export const SIGNING_SECRET = 'test-signing-secret';

/**
 * A whole firstmate (real Deps on the test Redis, real HTTP server on port 0, real Bolt app)
 * talking to a fake Slack. Users: `UALICE` is an operator; unknown users are refused.
 */
export async function startSlackFirstmate(fake: FakeSlack, slack: Record<string, unknown>): Promise<{ deps: Deps; baseUrl: string; stop(): Promise<void> }> {
  const input: ConfigInput = {
    server: { host: '127.0.0.1', port: 0 },
    log: { level: 'silent' },
    redis: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', embedded: false, prefix: `{t-slack-${randomBytes(4).toString('hex')}}` },
    chat: { console: { enabled: 'auto' }, slack: { botToken: 'xoxb-test', apiUrl: fake.apiUrl, ...slack } },
    auth: { users: [{ name: 'alice', role: 'operator', slack: ['UALICE'] }], defaultRole: 'none' },
  };
  const config = configSchema.parse(input);
  const deps = await createDeps(config, createLogger('silent'));
  const app = createApp(deps, { input: process.stdin, output: process.stdout, interactive: false });
  try {
    await deps.lifecycle.start();
  } catch (err) {
    await deps.lifecycle.stop(5000);
    throw err;
  }
  return {
    deps,
    baseUrl: `http://127.0.0.1:${app.http.port()}`,
    async stop() {
      const keys = await deps.redis.keys(`${config.redis.prefix}:*`);
      if (keys.length > 0) await deps.redis.del(...keys);
      await deps.lifecycle.stop(5000);
    },
  };
}
