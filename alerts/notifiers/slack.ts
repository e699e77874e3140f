import { webApi } from '@slack/bolt';
import { TerminalError } from '../../bot/errors.ts';
import type { Logger } from '../../bot/logger.ts';
import { slackErrorCode, slackFailure } from '../../bot/chat/slack-errors.ts';
import { boltLogger } from '../../bot/chat/slack-logger.ts';
import type { SlackMessage } from '../../bot/chat/slack-render.ts';
import { renderSlackNotification, type NotificationRenderOptions } from './slack-notification.ts';
import { RetryableError, type MessageRef, type Notification, type Notifier } from './types.ts';

export type WebClient = webApi.WebClient;

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
}

/**
 * The Slack notifier. Destination: `{ channel: "C…" | "#name" }`. The first send posts with
 * `chat.postMessage` and returns `{ id: ts, channel: channelId }`; later sends with that ref
 * update the message in place (`chat.update`), or post anew when the message is gone or can no
 * longer be edited, or when the destination channel changed. Errors: rate limits (HTTP 429 or
 * `ratelimited`), 5xx and network failures throw `RetryableError` (with Retry-After); every
 * other Slack error (`channel_not_found`, `not_in_channel`, `invalid_auth`, …) `TerminalError`.
 * Pass a client from `createSlackNotifierClient`: its own retries would hide the Retry-After.
 */
export function createSlackNotifier(client: WebClient, opts: SlackNotifierOptions = {}): Notifier {
  const render = opts.render ?? ((n: Notification) => renderSlackNotification(n, opts));
  const post = async (channel: string, notification: Notification): Promise<MessageRef> => {
    const message = render(notification);
    try {
      const res = await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false });
      if (!res.ts) throw new TerminalError('chat.postMessage returned no message ts');
      return { id: res.ts, channel: res.channel ?? channel };
    } catch (err) {
      throw classify(err, `chat.postMessage to ${channel}`);
    }
  };

  return {
    kind: 'slack',
    async send(destination, notification, previous) {
      const channel = destination.channel;
      if (typeof channel !== 'string' || channel.trim() === '') throw new TerminalError('slack destination needs a channel (id like C0123 or #name)');
      // A destination given by name cannot be compared with the stored id: it is taken as unchanged.
      const moved = previous !== undefined && !channel.startsWith('#') && channel.toUpperCase() !== previous.channel.toUpperCase();
      if (!previous || moved) return post(channel, notification);
      const message = render(notification);
      try {
        await client.chat.update({ channel: previous.channel, ts: previous.id, text: message.text, blocks: message.blocks });
        return previous;
      } catch (err) {
        const code = slackErrorCode(err);
        if (code && repostCodes.has(code)) return post(channel, notification);
        throw classify(err, `chat.update of ${previous.channel}/${previous.id}`);
      }
    },
  };
}

/** Maps a WebClient failure to `RetryableError` or `TerminalError` (passing ours through). */
export function classify(err: unknown, what: string): Error {
  if (err instanceof RetryableError || err instanceof TerminalError) return err;
  const failure = slackFailure(err);
  return failure.retryable
    ? new RetryableError(`${what}: ${failure.reason}`, failure.retryAfterMs, { cause: err })
    : new TerminalError(`${what}: ${failure.reason}`, { cause: err });
}
