import { webApi } from '@slack/bolt';
import { TerminalError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { slackErrorCode, slackFailure } from '../../platforms/slack/errors.ts';
import { boltLogger } from '../../platforms/slack/logger.ts';
import type { SlackMessage } from '../../platforms/slack/render.ts';
import { renderSlackNotification, type NotificationRenderOptions } from './slack-notification.ts';
import { RetryableError, type FoundMessage, type MessageRef, type Notification, type Notifier } from './types.ts';

export type WebClient = webApi.WebClient;

/** `metadata.event_type` of every notification message (Slack wants an alphanumeric, human-readable name). */
export const NOTIFICATION_EVENT_TYPE = 'firstmate_notification';

/** Looking up a message reads at most this many history pages of `FIND_PAGE_SIZE` messages. */
const FIND_PAGES = 4;
const FIND_PAGE_SIZE = 50;

/** The message metadata naming the incident and the notification a message shows. */
export function notificationMetadata(n: Notification) {
  return { event_type: NOTIFICATION_EVENT_TYPE, event_payload: { incident: n.incidentId, notification: n.id, seq: n.seq } };
}

/**
 * `conversations.history` failures that mean "cannot read this channel back" (no history scope
 * yet, or posting with `chat:write.public` without being a member): `find` then answers
 * `undefined`, so a possible repeat is preferred over losing the notification.
 */
const unreadableCodes = new Set(['missing_scope', 'not_in_channel']);

/** `chat.update` failures after which posting a new message is the right thing to do. */
const repostCodes = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed', 'msg_too_long']);

/**
 * A WebClient for notifications: no retries and no waiting on rate limits inside the client, so
 * the notify pipeline alone decides when to try again (it gets `RetryableError.retryAfterMs`).
 */
export function createSlackNotifierClient(opts: { botToken: string; apiUrl: string; logger: Logger; timeoutMs?: number }): WebClient {
  return new webApi.WebClient(opts.botToken, {
    slackApiUrl: opts.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: opts.timeoutMs ?? 10_000,
    logger: boltLogger(opts.logger, 'slack-notifier'),
  });
}

export interface SlackNotifierOptions extends NotificationRenderOptions {
  /** Replaces the built-in rendering (e.g. `(n) => renderSlackReply(renderNotification(n))[0]!`). */
  render?: (notification: Notification) => SlackMessage;
  /** Warns when a channel cannot be read back (see `find`). */
  logger?: Logger;
}

/**
 * The Slack notifier. Destination: `{ channel: "C…" | "#name" }`. The first send posts with
 * `chat.postMessage` and returns `{ id: ts, channel: channelId }`; later sends with that ref
 * update the message in place (`chat.update`), or post anew when the message is gone or can no
 * longer be edited, or when the destination channel changed. Every post and update carries
 * message metadata (`firstmate_notification`: incident, notification id, seq), which `find`
 * reads back with `conversations.history` (scope `channels:history`, `groups:history` for
 * private channels) to adopt a post whose answer was lost; a `#name` destination cannot be read
 * back that way, so `find` answers `undefined` for it, as it does (with a warning) when Slack
 * refuses the history with `missing_scope` or `not_in_channel`. Errors: rate limits (HTTP 429 or
 * `ratelimited`), 5xx and network failures throw `RetryableError` (with Retry-After); every
 * other Slack error (`channel_not_found`, `not_in_channel`, `invalid_auth`, …) `TerminalError`.
 * Pass a client from `createSlackNotifierClient`: its own retries would hide the Retry-After.
 */
export function createSlackNotifier(client: WebClient, opts: SlackNotifierOptions = {}): Notifier {
  const render = opts.render ?? ((n: Notification) => renderSlackNotification(n, opts));
  const post = async (channel: string, notification: Notification): Promise<MessageRef> => {
    const message = render(notification);
    try {
      const res = await client.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        metadata: notificationMetadata(notification),
        unfurl_links: false,
        unfurl_media: false,
      });
      if (!res.ts) throw new TerminalError('chat.postMessage returned no message ts');
      return { id: res.ts, channel: res.channel ?? channel };
    } catch (err) {
      throw classify(err, `chat.postMessage to ${channel}`);
    }
  };

  return {
    kind: 'slack',
    async send(destination, notification, previous) {
      const channel = channelOf(destination);
      // A destination given by name cannot be compared with the stored id: it is taken as unchanged.
      const moved = previous !== undefined && !channel.startsWith('#') && channel.toUpperCase() !== previous.channel.toUpperCase();
      if (!previous || moved) return post(channel, notification);
      const message = render(notification);
      try {
        await client.chat.update({
          channel: previous.channel,
          ts: previous.id,
          text: message.text,
          blocks: message.blocks,
          metadata: notificationMetadata(notification),
        });
        return previous;
      } catch (err) {
        const code = slackErrorCode(err);
        if (code && repostCodes.has(code)) return post(channel, notification);
        throw classify(err, `chat.update of ${previous.channel}/${previous.id}`);
      }
    },
    async find(destination, notification, sinceMs) {
      const channel = channelOf(destination);
      if (channel.startsWith('#')) return undefined;
      const oldest = (Math.max(0, sinceMs) / 1000).toFixed(6);
      let cursor: string | undefined;
      for (let page = 0; page < FIND_PAGES; page++) {
        let res: webApi.ConversationsHistoryResponse;
        try {
          res = await client.conversations.history({
            channel,
            oldest,
            inclusive: true,
            limit: FIND_PAGE_SIZE,
            include_all_metadata: true,
            ...(cursor ? { cursor } : {}),
          });
        } catch (err) {
          const code = slackErrorCode(err);
          if (code && unreadableCodes.has(code)) {
            opts.logger?.warn(
              { channel, error: code },
              'cannot read the Slack channel back to find an earlier post; posting again (add the channels:history / groups:history scope)',
            );
            return undefined;
          }
          throw classify(err, `conversations.history of ${channel}`);
        }
        // Newest first: the first match is the incident's latest message.
        for (const m of res.messages ?? []) {
          const found = match(m, notification.incidentId, channel);
          if (found) return found;
        }
        cursor = res.response_metadata?.next_cursor;
        if (!res.has_more || !cursor) break;
      }
      return undefined;
    },
  };
}

function channelOf(destination: Record<string, unknown>): string {
  const channel = destination.channel;
  if (typeof channel !== 'string' || channel.trim() === '')
    throw new TerminalError('slack destination needs a channel (id like C0123 or #name)');
  return channel;
}

/** The message as a `FoundMessage` when its metadata names the incident. */
function match(
  m: { ts?: string; metadata?: { event_type?: string; event_payload?: unknown } },
  incidentId: string,
  channel: string,
): FoundMessage | undefined {
  if (!m.ts || m.metadata?.event_type !== NOTIFICATION_EVENT_TYPE) return undefined;
  const p = m.metadata.event_payload as { incident?: unknown; notification?: unknown; seq?: unknown } | undefined;
  if (p?.incident !== incidentId || typeof p.notification !== 'string') return undefined;
  const seq = Number(p.seq);
  return Number.isFinite(seq) ? { id: m.ts, channel, notificationId: p.notification, seq } : undefined;
}

/** Maps a WebClient failure to `RetryableError` or `TerminalError` (passing ours through). */
export function classify(err: unknown, what: string): Error {
  if (err instanceof RetryableError || err instanceof TerminalError) return err;
  const failure = slackFailure(err);
  return failure.retryable
    ? new RetryableError(`${what}: ${failure.reason}`, failure.retryAfterMs, { cause: err })
    : new TerminalError(`${what}: ${failure.reason}`, { cause: err });
}
