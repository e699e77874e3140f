import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../chat/audit.ts';
import { createAuthz } from '../../../chat/authz.ts';
import { createDingTalkChat, type DingTalkChat } from '../../../chat/adapters/dingtalk.ts';
import { createRouter } from '../../../chat/router.ts';
import { handlers } from '../../../handlers/index.ts';
import { createTestDeps } from '../../helpers/deps.ts';
import { startFakeDingTalk, type FakeDingTalk, type Received } from '../../helpers/fake-dingtalk.ts';
import { createCommandServices } from '../../../app/services.ts';

let fake: FakeDingTalk;
let deps: Awaited<ReturnType<typeof createTestDeps>>;
let chat: DingTalkChat;

beforeAll(async () => {
  fake = await startFakeDingTalk();
  deps = await createTestDeps({
    chat: {
      dingtalk: {
        clientId: 'ding-app',
        clientSecret: 'app-secret',
        gatewayUrl: fake.gatewayUrl,
        reconnect: { minDelayMs: 100, maxDelayMs: 800 },
        heartbeatMs: 1000,
      },
    },
    auth: { users: [{ name: 'ada', role: 'admin', dingtalk: ['staff-ada'] }] },
  });
  await deps.lifecycle.start();
  const router = createRouter({
    deps,
    services: createCommandServices(deps),
    authz: createAuthz(deps.config),
    handlers,
    observers: [createAuditLog(deps).record],
  });
  chat = createDingTalkChat({ deps, router });
  await chat.start();
  await chat.stream.whenConnected(5000);
});

afterAll(async () => {
  await chat?.stop();
  await fake?.close();
  await deps?.stop();
});

let seq = 0;
function robotMessage(over: Record<string, unknown> = {}) {
  seq++;
  return {
    msgId: `msg-${seq}-${Date.now()}`,
    msgtype: 'text',
    text: { content: ' @firstmate whoami' },
    senderStaffId: 'staff-ada',
    senderId: '$:LWCP_v1:$abc',
    senderNick: 'Ada',
    conversationId: 'cid-group==',
    conversationType: '2',
    sessionWebhook: fake.sessionWebhook(`s${seq}`),
    sessionWebhookExpiredTime: Date.now() + 60_000,
    isInAtList: true,
    createAt: Date.now(),
    ...over,
  };
}
const postTo = (url: string) => (p: Received) => url.endsWith(p.path);
const markdownOf = (p: Received) => (p.body.markdown as { text: string; title: string }).text;

describe('DingTalk Stream connection', () => {
  it('opens through the configured gateway with our credentials and the robot subscription', async () => {
    const open = fake.state.openCalls[0]!.body;
    expect(open).toMatchObject({ clientId: 'ding-app', clientSecret: 'app-secret' });
    expect(open.subscriptions).toEqual([{ type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' }]);
    expect(await deps.readiness.evaluate()).toMatchObject({ checks: { dingtalk: true } });
    expect(await deps.metrics.registry.getSingleMetricAsString('firstmate_dingtalk_connected')).toMatch(/firstmate_dingtalk_connected 1/);
  });

  it('answers a robot message on its session webhook, @mentions the asker and acks the frame', async () => {
    const msg = robotMessage();
    const messageId = fake.sendRobotMessage(msg);
    const post = await fake.waitFor(() => fake.state.sessionPosts.find(postTo(msg.sessionWebhook)));
    expect(post.body.msgtype).toBe('markdown');
    expect(markdownOf(post)).toMatch(/\*\*role\*\*: admin/);
    expect(markdownOf(post)).toMatch(/\*\*channel\*\*: cid-group==/);
    expect(markdownOf(post).endsWith('@staff-ada')).toBe(true);
    expect(post.body.at).toEqual({ atUserIds: ['staff-ada'], isAtAll: false });
    const ack = fake.state.upFrames.find((f) => f.headers.messageId === messageId)!;
    expect(ack).toMatchObject({ code: 200, message: 'OK', headers: { contentType: 'application/json', messageId } });
    expect(JSON.parse(ack.data)).toHaveProperty('response');
    const [entry] = await createAuditLog(deps).latest(1);
    expect(entry).toMatchObject({
      user: 'ada',
      platform: 'dingtalk',
      platformUserId: 'staff-ada',
      channel: 'cid-group==',
      command: 'whoami',
      decision: 'allowed',
    });
  });

  it('does not @mention in a one-to-one chat', async () => {
    const msg = robotMessage({ conversationType: '1', text: { content: 'help' } });
    fake.sendRobotMessage(msg);
    const post = await fake.waitFor(() => fake.state.sessionPosts.find(postTo(msg.sessionWebhook)));
    expect(post.body.at).toBeUndefined();
    expect(markdownOf(post)).toContain('firstmate commands');
  });

  it('acks a redelivered message again but answers it only once', async () => {
    const msg = robotMessage();
    const messageId = fake.sendRobotMessage(msg);
    await fake.waitFor(() => fake.state.sessionPosts.find(postTo(msg.sessionWebhook)));
    fake.sendRobotMessage(msg, messageId);
    await fake.waitFor(() => fake.state.upFrames.filter((f) => f.headers.messageId === messageId).length === 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.state.sessionPosts.filter(postTo(msg.sessionWebhook))).toHaveLength(1);
  });

  it('drops the answer when the session webhook has expired, still acking', async () => {
    const msg = robotMessage({ sessionWebhookExpiredTime: Date.now() - 1000 });
    const messageId = fake.sendRobotMessage(msg);
    await fake.waitFor(() => fake.state.upFrames.find((f) => f.headers.messageId === messageId));
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.state.sessionPosts.filter(postTo(msg.sessionWebhook))).toHaveLength(0);
  });

  it('posts mention and link injection from untrusted text harmlessly', async () => {
    const msg = robotMessage({
      senderStaffId: 'outsider',
      senderNick: '@所有人 @all @13800138000 [点我](dtmd://dingtalkclient/sendMessage?content=cordon%20node-1)',
    });
    fake.sendRobotMessage(msg);
    const post = await fake.waitFor(() => fake.state.sessionPosts.find(postTo(msg.sessionWebhook)));
    const text = markdownOf(post);
    expect(text).toContain('＠所有人 ＠all ＠13800138000');
    expect(text).not.toMatch(/@(所有人|all|13800138000)/);
    expect(text).not.toContain('](');
    expect(text).not.toContain('dtmd://');
    expect(post.body.at).toEqual({ atUserIds: ['outsider'], isAtAll: false });
  });

  it('answers a SYSTEM ping with the same data', async () => {
    const id = fake.sendPing();
    const pong = await fake.waitFor(() => fake.state.upFrames.find((f) => f.headers.messageId === id));
    expect(pong.code).toBe(200);
    expect(JSON.parse(pong.data)).toEqual({ opaque: id });
  });

  it('reconnects with a fresh ticket on a disconnect notice, one connection at a time', async () => {
    const opens = fake.state.openCalls.length;
    fake.sendDisconnect();
    await fake.waitFor(() => fake.state.openCalls.length > opens && fake.connections() === 1);
    await chat.stream.whenConnected(3000);
    expect(fake.state.maxConcurrent).toBe(1);
    const msg = robotMessage();
    fake.sendRobotMessage(msg);
    await fake.waitFor(() => fake.state.sessionPosts.find(postTo(msg.sessionWebhook)));
  });

  it('drops a connection whose pings go unanswered and opens a new one', async () => {
    const opens = fake.state.openCalls.length;
    fake.state.mutePongs = true;
    await fake.waitFor(() => fake.state.openCalls.length > opens, 4000);
    fake.state.mutePongs = false;
    await chat.stream.whenConnected(3000);
    expect(fake.connections()).toBe(1);
    expect(await deps.metrics.registry.getSingleMetricAsString('firstmate_dingtalk_reconnects_total')).toMatch(/reason="heartbeat"\} 1/);
  });

  it('backs off exponentially while handshakes are refused, without a storm, then recovers', async () => {
    fake.state.refuseHandshake = true;
    const from = fake.state.handshakes.length;
    const started = Date.now();
    fake.dropConnections();
    await new Promise((r) => setTimeout(r, 2500));
    const attempts = fake.state.handshakes.slice(from).map((t) => t - started);
    // Delays of 100·2^n ms capped at 800, jittered to [½, 1]: 5 to 9 attempts fit in 2.5 s.
    expect(attempts.length).toBeGreaterThanOrEqual(4);
    expect(attempts.length).toBeLessThanOrEqual(10);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    expect(Math.max(...gaps.slice(2))).toBeGreaterThanOrEqual(350);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(40);
    expect(fake.state.openCalls.length - fake.state.handshakes.length).toBeLessThanOrEqual(1);
    expect(await deps.readiness.evaluate()).toMatchObject({ ready: false, checks: { dingtalk: false } });
    expect(chat.stream.state).not.toBe('connected');

    fake.state.refuseHandshake = false;
    await chat.stream.whenConnected(3000);
    expect(fake.connections()).toBe(1);
    expect(fake.state.maxConcurrent).toBe(1);
    expect(await deps.readiness.evaluate()).toMatchObject({ checks: { dingtalk: true } });
    expect(await deps.metrics.registry.getSingleMetricAsString('firstmate_dingtalk_reconnects_total')).toMatch(
      /reason="handshake"\} [4-9]/,
    );
  });
});

describe('DingTalk Stream handshake timeout', () => {
  it('gives up on a handshake that never completes and tries again', async () => {
    const gateway = await startFakeDingTalk();
    const d = await createTestDeps({
      chat: {
        dingtalk: {
          clientId: 'a',
          clientSecret: 'b',
          gatewayUrl: gateway.gatewayUrl,
          requestTimeoutMs: 300,
          reconnect: { minDelayMs: 100, maxDelayMs: 200 },
        },
      },
    });
    await d.lifecycle.start();
    const c = createDingTalkChat({
      deps: d,
      router: createRouter({ deps: d, services: createCommandServices(d), authz: createAuthz(d.config), handlers }),
    });
    try {
      gateway.state.hangHandshake = true;
      await c.start();
      await gateway.waitFor(() => gateway.state.handshakes.length >= 3, 3000);
      expect(c.stream.isConnected()).toBe(false);
      gateway.state.hangHandshake = false;
      await c.stream.whenConnected(3000);
      expect(gateway.connections()).toBe(1);
    } finally {
      await c.stop();
      await gateway.close();
      await d.stop();
    }
  });
});
