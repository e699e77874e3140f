import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../app/app.ts';
import { createTestDeps } from '../../helpers/deps.ts';
import { startFakeDingTalk, type FakeDingTalk } from '../../helpers/fake-dingtalk.ts';

let fake: FakeDingTalk;
let deps: Awaited<ReturnType<typeof createTestDeps>>;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  fake = await startFakeDingTalk();
  deps = await createTestDeps({
    chat: { dingtalk: { clientId: 'ding-app', clientSecret: 'app-secret', gatewayUrl: fake.gatewayUrl } },
    auth: {
      users: [{ name: 'ada', role: 'admin', dingtalk: ['staff-ada'] }],
      bindings: [
        { channel: '*', allow: ['query'] },
        { name: 'ops', channel: 'cid-ops', allow: ['query', 'admin'] },
      ],
      rateLimit: { limit: 4, windowSeconds: 60 },
    },
  });
  app = createApp(deps);
  await deps.lifecycle.start();
});
afterAll(async () => {
  await deps?.stop();
  await fake?.close();
});

async function ask(content: string, conversationId: string): Promise<string> {
  const hook = fake.sessionWebhook();
  fake.sendRobotMessage({
    msgId: `m-${Math.random()}`,
    msgtype: 'text',
    text: { content: `@firstmate ${content}` },
    senderStaffId: 'staff-ada',
    senderNick: 'Ada',
    conversationId,
    conversationType: '2',
    sessionWebhook: hook,
    sessionWebhookExpiredTime: Date.now() + 60_000,
  });
  const post = await fake.waitFor(() => fake.state.sessionPosts.find((p) => hook.endsWith(p.path)));
  return (post.body.markdown as { text: string }).text;
}

describe('the app with DingTalk configured', () => {
  it('connects, reports readiness and keeps the console off', async () => {
    await fake.waitFor(() => fake.connections() === 1);
    const res = await fetch(`http://127.0.0.1:${app.http.port()}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ checks: { redis: true, dingtalk: true } });
  });

  it('routes robot messages through bindings, the audit log and the rate limit', async () => {
    expect(await ask('audit 3', 'cid-lobby')).toContain('`audit` (admin) is not enabled in this channel; allowed here: query.');
    const table = await ask('audit 3', 'cid-ops');
    expect(table).toContain('**when · user · identity · channel · command · outcome · detail**');
    expect(table).toMatch(/- .* · ada · dingtalk:staff-ada · cid-lobby · audit 3 · refused · /);
    await ask('whoami', 'cid-ops');
    await ask('whoami', 'cid-ops');
    expect(await ask('whoami', 'cid-ops')).toMatch(/faster than allowed \(4 per 60 s\); please try again in \d+ s/);
  });
});
