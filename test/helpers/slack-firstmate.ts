import { createApp, type AppIo } from '../../app/app.ts';
import type { Deps } from '../../app/deps.ts';
import { createTestDeps } from './deps.ts';
import type { FakeSlack } from './fake-slack.ts';

export const SIGNING_SECRET = 'test-signing-secret';

/**
 * A whole firstmate (real Deps on the test Redis, real HTTP server on port 0, real Bolt app via
 * `createApp`) talking to a fake Slack. `slack` is merged into `chat.slack` (bot token and API
 * URL are set). Users: `UALICE` is the operator alice; unknown users are refused.
 */
export async function startSlackFirstmate(
  fake: FakeSlack,
  slack: Record<string, unknown>,
  io?: AppIo,
): Promise<{ deps: Deps; baseUrl: string; stop(): Promise<void> }> {
  const deps = await createTestDeps({
    chat: { console: { enabled: 'auto' }, slack: { botToken: 'xoxb-test', apiUrl: fake.apiUrl, ...slack } },
    auth: { users: [{ name: 'alice', role: 'operator', slack: ['UALICE'] }], defaultRole: 'none' },
  });
  const app = createApp(deps, io ?? { input: process.stdin, output: process.stdout, interactive: false });
  try {
    await deps.lifecycle.start();
  } catch (err) {
    await deps.stop();
    throw err;
  }
  return { deps, baseUrl: `http://127.0.0.1:${app.http.port()}`, stop: () => deps.stop() };
}
