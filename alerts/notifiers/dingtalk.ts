import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';
import { postDingTalk, type DingTalkAnswer } from '../../platforms/dingtalk/robot-http.ts';
import { dingTalkText, dingTalkTitle, renderDingTalk, type DingTalkMessage } from '../../platforms/dingtalk/render.ts';
import type { Reply } from '../../core/reply.ts';
import { TerminalError } from '../../core/errors.ts';
import { RetryableError, type MessageRef, type Notification, type Notifier } from './types.ts';

/** A DingTalk custom-robot destination (a receiver's `dingtalk` entry). */
export const dingtalkDestinationSchema = z
  .strictObject({
    /** The robot's `access_token` (the part after `access_token=` in its webhook URL). */
    accessToken: z.string().min(1).optional(),
    /** Or the whole webhook URL. */
    webhook: z.url().optional(),
    /** The 加签 (signing) secret, `SEC…`; when set every request is signed. */
    secret: z.string().min(1).optional(),
    /** People to @mention in new incidents (phone numbers, or user ids for internal robots). */
    atMobiles: z.array(z.string().min(1)).default([]),
    atUserIds: z.array(z.string().min(1)).default([]),
  })
  .refine((d) => Boolean(d.accessToken) !== Boolean(d.webhook), { message: 'give exactly one of accessToken or webhook' });
export type DingTalkDestination = z.infer<typeof dingtalkDestinationSchema>;

/** DingTalk's custom-robot limit is 20 messages per minute per robot; wait out the minute. */
const THROTTLE_RETRY_MS = 60_000;
/** errcodes that a later attempt may get past: sending too fast, system busy. */
const RETRYABLE = new Set([130101, 410100, -1]);

/** The `timestamp` and `sign` query parameters of a signed custom-robot request. */
export function signRobotRequest(secret: string, timestamp: number): { timestamp: string; sign: string } {
  const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  return { timestamp: String(timestamp), sign };
}

/** The URL to POST to: the webhook with `access_token`, plus `timestamp` and `sign` when signed. */
export function robotUrl(baseUrl: string, dest: DingTalkDestination, now = Date.now()): string {
  const url = new URL(dest.webhook ?? baseUrl);
  if (dest.accessToken) url.searchParams.set('access_token', dest.accessToken);
  if (dest.secret) {
    const { timestamp, sign } = signRobotRequest(dest.secret, now);
    url.searchParams.set('timestamp', timestamp);
    url.searchParams.set('sign', sign);
  }
  return url.toString();
}

/** Counts carried in the MessageRef so a follow-up can say what changed since the last message. */
interface Posted {
  firing: number;
  resolved: number;
  acked: boolean;
}

function refId(n: Notification): string {
  return `${n.incidentId}#${n.counts.firing}/${n.counts.resolved}/${n.acked ? 1 : 0}`;
}

function postedFrom(ref: MessageRef): Posted | undefined {
  const m = /#(\d+)\/(\d+)\/([01])$/.exec(ref.id);
  return m ? { firing: Number(m[1]), resolved: Number(m[2]), acked: m[3] === '1' } : undefined;
}

/**
 * The concise follow-up DingTalk gets instead of an edit (robots cannot edit their messages):
 * what changed since the last message of the incident.
 */
export function followUpText(n: Notification, previous: MessageRef): string {
  const before = postedFrom(previous);
  const parts: string[] = [];
  if (n.status === 'resolved') {
    parts.push(`resolved: all ${n.counts.resolved} alert${n.counts.resolved === 1 ? '' : 's'} cleared`);
  } else {
    const more = before ? n.counts.firing - before.firing : 0;
    if (more > 0) parts.push(`${more} more firing (${n.counts.firing} now)`);
    else if (more < 0) parts.push(`${-more} fewer firing (${n.counts.firing} now)`);
    else parts.push(`${n.counts.firing} firing`);
    const resolved = before ? n.counts.resolved - before.resolved : n.counts.resolved;
    if (resolved > 0) parts.push(`${resolved} resolved`);
  }
  if (n.acked && !before?.acked) parts.push(`acked by ${n.acked.by}`);
  if (n.flapping) parts.push('flapping');
  const name = n.groupLabels.alertname ?? Object.values(n.groupLabels)[0] ?? n.groupKey;
  return `update on ${n.ref} (${name}): ${parts.join(', ')}`;
}

function classify(answer: DingTalkAnswer): void {
  if (answer.status === 429) throw new RetryableError('DingTalk robot throttled (HTTP 429)', answer.retryAfterMs ?? THROTTLE_RETRY_MS);
  if (answer.status >= 500) throw new RetryableError(`DingTalk robot answered HTTP ${answer.status}`, answer.retryAfterMs);
  if (answer.status >= 300) throw new TerminalError(`DingTalk robot answered HTTP ${answer.status}: ${answer.errmsg ?? ''}`.trim());
  const code = answer.errcode;
  if (code === undefined) throw new TerminalError(`DingTalk robot answered without an errcode: ${answer.errmsg ?? ''}`.trim());
  if (code === 0) return;
  const detail = `DingTalk robot errcode ${code}: ${answer.errmsg ?? ''}`.trim();
  if (RETRYABLE.has(code)) throw new RetryableError(detail, code === -1 ? answer.retryAfterMs : THROTTLE_RETRY_MS);
  if (code === 310000)
    throw new TerminalError(`${detail} (signature, keyword or IP allow-list mismatch: check the robot's security settings)`);
  throw new TerminalError(code === 300001 || (code >= 400000 && code < 500000) ? `${detail} (invalid or revoked access token)` : detail);
}

/**
 * Pushes notifications through DingTalk custom robots (group webhooks), signed when the
 * destination has a secret. A first message is the full rendering (markdown, or an actionCard
 * when it has buttons); with `previous` it posts a short follow-up, since robot messages cannot
 * be edited. Throttling (errcode 130101/410100, HTTP 429), 5xx and network errors are
 * `RetryableError`; bad signatures, keywords, IPs and tokens are `TerminalError`.
 */
export function createDingTalkNotifier(opts: {
  /** The custom-robot endpoint, `https://oapi.dingtalk.com/robot/send` (config `chat.dingtalk.robotUrl`). */
  robotUrl: string;
  /** The platform-neutral rendering of a notification. */
  render: (n: Notification) => Reply;
  timeoutMs?: number;
  now?: () => number;
}): Notifier {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const now = opts.now ?? Date.now;
  return {
    kind: 'dingtalk',
    async send(destination, n, previous) {
      const parsed = dingtalkDestinationSchema.safeParse(destination);
      if (!parsed.success) throw new TerminalError(`invalid DingTalk destination: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      const dest = parsed.data;
      let message: DingTalkMessage;
      if (previous) {
        const text = followUpText(n, previous);
        message = { msgtype: 'markdown', markdown: { title: dingTalkTitle(text), text: dingTalkText(text) } };
      } else {
        message = renderDingTalk(opts.render(n), { atMobiles: dest.atMobiles, atUserIds: dest.atUserIds });
      }
      let answer: DingTalkAnswer;
      try {
        answer = await postDingTalk(robotUrl(opts.robotUrl, dest, now()), message, timeoutMs);
      } catch (err) {
        throw new RetryableError(`DingTalk robot unreachable: ${(err as Error).message}`, undefined, { cause: err });
      }
      classify(answer);
      const channel = `robot:${createHash('sha256')
        .update(dest.accessToken ?? dest.webhook ?? '')
        .digest('hex')
        .slice(0, 12)}`;
      return { id: refId(n), channel };
    },
  };
}
