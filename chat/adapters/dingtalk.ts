import type { DWClientDownStream } from 'dingtalk-stream';
import { z } from 'zod';
import type { ChatDeps } from '../types.ts';
import { postDingTalk } from '../../platforms/dingtalk/robot-http.ts';
import { renderDingTalk } from '../../platforms/dingtalk/render.ts';
import { DingTalkStream } from '../../platforms/dingtalk/stream.ts';
import { textReply, type Reply } from '../../core/reply.ts';
import { redisKeys } from '../../core/redis-keys.ts';
import type { Router } from '../router.ts';

/** The fields of a robot message (`/v1.0/im/bot/messages/get`) that firstmate uses. */
const robotMessageSchema = z.object({
  msgId: z.string().optional(),
  msgtype: z.string(),
  text: z.object({ content: z.string() }).optional(),
  senderStaffId: z.string().optional(),
  senderId: z.string().optional(),
  senderNick: z.string().optional(),
  conversationId: z.string().min(1),
  /** `1` one-to-one, `2` group. */
  conversationType: z.coerce.string(),
  sessionWebhook: z.url(),
  sessionWebhookExpiredTime: z.number().optional(),
});
export type RobotMessage = z.infer<typeof robotMessageSchema>;

/**
 * Removes the robot mention(s) at the start of a message (`@firstmate host 10.0.0.1`); DingTalk
 * sometimes keeps the mention text and sometimes only leaves a leading space.
 */
export function stripMention(content: string, robotName: string): string {
  let text = content.replace(/^[\s\u3000]+/u, '');
  const mention = `@${robotName}`;
  while (text.toLowerCase().startsWith(mention.toLowerCase())) text = text.slice(mention.length).replace(/^[\s\u3000]+/u, '');
  return text.trim();
}

/**
 * The DingTalk chat adapter: receives robot messages over the Stream connection, drops
 * redeliveries (message ids remembered in Redis for `dedupSeconds`, shared by replicas), runs
 * each through the router as the sender and answers on the message's session webhook, with an
 * @mention of the asker in group chats. Every callback is acknowledged before it is handled.
 */
export function createDingTalkChat(opts: { deps: ChatDeps; router: Router }) {
  const { deps, router } = opts;
  const cfg = deps.config.chat.dingtalk;
  const log = deps.logger.child({ component: 'dingtalk' });
  const inFlight = new Set<Promise<void>>();
  const keys = redisKeys(deps.config.redis.prefix);
  if (!cfg.clientId || !cfg.clientSecret) throw new Error('DingTalk chat needs chat.dingtalk.clientId and clientSecret');

  const firstDelivery = async (id: string): Promise<boolean> => {
    try {
      const set = await deps.redis.set(keys.dingtalkSeen(id), '1', 'EX', cfg.dedupSeconds, 'NX');
      return set === 'OK';
    } catch (err) {
      log.warn({ err, id }, 'redelivery check unavailable; handling the message');
      return true;
    }
  };

  const answer = async (msg: RobotMessage, reply: Reply, staffId: string): Promise<void> => {
    if (msg.sessionWebhookExpiredTime !== undefined && msg.sessionWebhookExpiredTime <= Date.now()) {
      log.warn(
        { conversationId: msg.conversationId, msgId: msg.msgId },
        'session webhook expired before the answer was ready; answer dropped',
      );
      deps.metrics.dingtalkCallbacks.inc({ outcome: 'expired' });
      return;
    }
    const group = msg.conversationType === '2';
    const body = renderDingTalk(reply, { atUserIds: group && staffId ? [staffId] : [] });
    try {
      const res = await postDingTalk(msg.sessionWebhook, body, cfg.requestTimeoutMs);
      if (res.status >= 300 || (res.errcode !== undefined && res.errcode !== 0)) {
        log.warn({ status: res.status, errcode: res.errcode, errmsg: res.errmsg, msgId: msg.msgId }, 'DingTalk refused the answer');
      }
    } catch (err) {
      log.warn({ err, msgId: msg.msgId }, 'could not post the answer to the session webhook');
    }
  };

  const handle = async (frame: DWClientDownStream): Promise<void> => {
    let raw: unknown;
    try {
      raw = JSON.parse(frame.data);
    } catch {
      raw = undefined;
    }
    const parsed = robotMessageSchema.safeParse(raw);
    if (!parsed.success) {
      log.warn(
        { messageId: frame.headers.messageId, issues: parsed.error.issues.map((i) => i.message) },
        'ignored a malformed robot message',
      );
      deps.metrics.dingtalkCallbacks.inc({ outcome: 'invalid' });
      return;
    }
    const msg = parsed.data;
    if (!(await firstDelivery(msg.msgId ?? frame.headers.messageId))) {
      deps.metrics.dingtalkCallbacks.inc({ outcome: 'duplicate' });
      return;
    }
    deps.metrics.dingtalkCallbacks.inc({ outcome: 'handled' });
    const staffId = msg.senderStaffId || msg.senderId || '';
    const identity = { platform: 'dingtalk' as const, userId: staffId, displayName: msg.senderNick, channelId: msg.conversationId };
    const reply =
      msg.msgtype === 'text' && msg.text
        ? await router.handle(identity, stripMention(msg.text.content, cfg.robotName))
        : textReply('I understand text commands only; send `help` for the list.');
    await answer(msg, reply, staffId);
  };

  const stream = new DingTalkStream({
    clientId: cfg.clientId,
    clientSecret: cfg.clientSecret,
    gatewayUrl: cfg.gatewayUrl,
    minDelayMs: cfg.reconnect.minDelayMs,
    maxDelayMs: cfg.reconnect.maxDelayMs,
    heartbeatMs: cfg.heartbeatMs,
    requestTimeoutMs: cfg.requestTimeoutMs,
    logger: deps.logger,
    metrics: deps.metrics,
    onRobotMessage(frame) {
      const work = handle(frame).catch((err: unknown) => log.error({ err, messageId: frame.headers.messageId }, 'robot message failed'));
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    },
  });
  deps.readiness.add('dingtalk', () => stream.isConnected());

  return {
    name: 'dingtalk-chat',
    stream,
    async start(): Promise<void> {
      await stream.start();
    },
    /** Stops receiving, then waits for the answers in progress. */
    async stop(): Promise<void> {
      await stream.stop();
      await Promise.allSettled([...inFlight]);
    },
  };
}

export type DingTalkChat = ReturnType<typeof createDingTalkChat>;
