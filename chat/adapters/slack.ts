import { App, SocketModeReceiver, type Receiver, type RespondFn, type types, type webApi } from '@slack/bolt';
import type { Redis } from 'ioredis';
import type { ChatConfig } from '../config-schema.ts';
import type { HttpPlugin } from '../../core/http.ts';
import type { Logger } from '../../core/logger.ts';
import type { Identity } from '../command.ts';
import { backoffDelay } from '../../core/backoff.ts';
import type { Reply } from '../../core/reply.ts';
import { redisKeys } from '../../core/redis-keys.ts';
import type { Router } from '../router.ts';
import { slackFailure } from '../../platforms/slack/errors.ts';
import { slackSafe, slackUnescape } from '../../platforms/slack/escape.ts';
import { boltLogger } from '../../platforms/slack/logger.ts';
import { registerSlackPrompts } from './slack-prompt.ts';
import { createSlackHttpReceiver } from '../../platforms/slack/receiver.ts';
import { COMMAND_ACTION_PREFIX, renderSlackReply, type SlackMessage } from '../../platforms/slack/render.ts';

export type SlackSettings = ChatConfig['slack'];

/** Slash command responses via `response_url`: Slack accepts five per invocation. */
const MAX_RESPONSES = 5;

/**
 * The Slack chat adapter (Bolt). Input: the slash command (`/ops <command>`), mentions
 * (`@firstmate <command>`) and direct messages, plus presses of our buttons, whose value is a
 * command, and answers to prompt forms (`registerSlackPrompts`). Everything goes through
 * `router.handle` with the Slack identity of the person typing, pressing or submitting, so
 * authorisation and audit are the same as for typed commands. Everything is acknowledged at
 * once and answered when the handler is done: slash commands through
 * `response_url` (in channel, errors only to the caller), mentions in the channel or, for long
 * answers, errors and threads, in a thread; DMs in the DM.
 *
 * Socket Mode (default) connects out with the app-level token and reconnects on its own; HTTP
 * mode exposes `httpPlugin` (`POST /slack/events`) for the main HTTP server. With `redis`, an
 * Events API delivery that Slack retries (or hands to another replica) is answered only once, and
 * in HTTP mode a replayed signed request (slash command, button, form) is processed once.
 */
export interface SlackChat {
  name: 'slack-chat';
  app: App;
  /** HTTP mode only: register it with `createHttpServer(deps, [plugin])`. */
  httpPlugin?: HttpPlugin;
  start(): Promise<void>;
  /** Posts a reply to a channel (operation results). */
  post(channel: string, reply: Reply): Promise<void>;
  /** Disconnects and waits for answers still being prepared. */
  stop(): Promise<void>;
}

export function createSlackChat(opts: {
  router: Router;
  logger: Logger;
  settings: SlackSettings;
  /** Claims Events API deliveries so retries are answered once. */
  redis?: Redis;
  keyPrefix?: string;
  /** First delay before reconnecting when Slack was unreachable at start (doubles up to 60 s). */
  retryDelayMs?: number;
}): SlackChat {
  const { router, settings } = opts;
  const logger = opts.logger.child({ component: 'slack' });
  if (!settings.botToken) throw new Error('Slack needs a bot token (SLACK_BOT_TOKEN)');
  const blog = boltLogger(opts.logger);
  const clientOptions: webApi.WebClientOptions = {
    slackApiUrl: settings.apiUrl,
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 5000 },
    logger: blog,
  };

  let receiver: Receiver;
  let httpPlugin: HttpPlugin | undefined;
  if (settings.mode === 'http') {
    if (!settings.signingSecret) throw new Error('Slack HTTP mode needs the signing secret (SLACK_SIGNING_SECRET)');
    const { redis: replayRedis } = opts;
    const http = createSlackHttpReceiver({
      signingSecret: settings.signingSecret,
      logger,
      ...(replayRedis
        ? {
            firstDelivery: async (signature: string, ttlSeconds: number) =>
              (await replayRedis.set(`${opts.keyPrefix ?? ''}:slack:req:${signature}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK',
          }
        : {}),
    });
    receiver = http;
    httpPlugin = http.plugin;
  } else {
    if (!settings.appToken) throw new Error('Slack Socket Mode needs an app-level token (SLACK_APP_TOKEN)');
    receiver = new SocketModeReceiver({
      appToken: settings.appToken,
      logger: blog,
      installerOptions: { clientOptions: { slackApiUrl: settings.apiUrl } },
    });
  }
  const app = new App({
    token: settings.botToken,
    receiver,
    socketMode: settings.mode === 'socket',
    clientOptions,
    logger: blog,
    deferInitialization: true,
  });

  const inFlight = new Set<Promise<void>>();
  const track = async (what: string, work: () => Promise<void>): Promise<void> => {
    const p = work().catch((err: unknown) => logger.error({ err }, `slack ${what} failed`));
    inFlight.add(p);
    try {
      await p;
    } finally {
      inFlight.delete(p);
    }
  };
  const ask = (identity: Identity, line: string) => router.handle(identity, line);

  const { redis } = opts;
  if (redis) {
    // Events are acked before middleware runs; a retried or duplicated event_id is dropped here.
    app.use(async ({ body, next }) => {
      const eventId = (body as { event_id?: unknown }).event_id;
      if (typeof eventId === 'string') {
        try {
          const first = await redis.set(redisKeys(opts.keyPrefix ?? '').slackEvent(eventId), '1', 'EX', 3600, 'NX');
          if (first === null) return logger.debug({ eventId }, 'slack event already handled');
        } catch (err) {
          logger.warn({ err }, 'slack event dedup unavailable; handling anyway');
        }
      }
      await next();
    });
  }

  app.command(settings.command, async ({ command, ack, respond }) => {
    await ack();
    await track('slash command', async () => {
      const reply = await ask(
        { platform: 'slack', userId: command.user_id, displayName: command.user_name, channelId: command.channel_id },
        slackUnescape(command.text),
      );
      await respondAll(respond, reply, renderSlackReply(reply));
    });
  });

  app.event('app_mention', async ({ event, context, client }) => {
    if (!event.user || event.bot_id) return;
    const user = event.user;
    await track('mention', async () => {
      const line = stripMentions(event.text, context.botUserId);
      const reply = await ask({ platform: 'slack', userId: user, channelId: event.channel }, line);
      const messages = renderSlackReply(reply);
      const threaded = event.thread_ts !== undefined || reply.error === true || isLong(messages, settings.threadOverBlocks);
      await postAll(client, event.channel, messages, threaded ? (event.thread_ts ?? event.ts) : undefined);
    });
  });

  app.message(async ({ message, context, client }) => {
    const m = message as {
      channel_type?: string;
      subtype?: string;
      user?: string;
      bot_id?: string;
      text?: string;
      channel: string;
      thread_ts?: string;
    };
    if (m.channel_type !== 'im' || m.subtype !== undefined || !m.user || m.bot_id || !m.text) return;
    const user = m.user;
    const text = m.text;
    await track('direct message', async () => {
      const reply = await ask({ platform: 'slack', userId: user, channelId: m.channel }, stripMentions(text, context.botUserId));
      await postAll(client, m.channel, renderSlackReply(reply), m.thread_ts);
    });
  });

  app.action(
    { type: 'block_actions', action_id: new RegExp(`^${COMMAND_ACTION_PREFIX.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) },
    async ({ ack, body, action, client, respond }) => {
      await ack();
      const command = 'value' in action && typeof action.value === 'string' ? action.value : '';
      if (!command) return;
      await track('button', async () => {
        const channel = body.channel?.id ?? (body.container as { channel_id?: string } | undefined)?.channel_id ?? '';
        const name = body.user.username ?? body.user.name ?? body.user.id;
        const reply = await ask({ platform: 'slack', userId: body.user.id, displayName: name, channelId: channel }, command);
        const messages = renderSlackReply(reply);
        const first = messages[0];
        if (first)
          first.blocks.unshift({
            type: 'context',
            elements: [{ type: 'mrkdwn', text: `${slackSafe(name)} pressed \`${slackSafe(command, 'code')}\`` }],
          });
        const message = body.message as { ts?: string; thread_ts?: string } | undefined;
        const ephemeral = (body.container as { is_ephemeral?: boolean } | undefined)?.is_ephemeral === true;
        if (!message?.ts || ephemeral || !channel) return respondAll(respond, { ...reply, error: true }, messages);
        const threadTs = message.thread_ts ?? message.ts;
        if (reply.error) {
          for (const m of messages)
            await client.chat.postEphemeral({ channel, user: body.user.id, thread_ts: threadTs, text: m.text, blocks: m.blocks });
          return;
        }
        await postAll(client, channel, messages, threadTs);
      });
    },
  );

  registerSlackPrompts(app, { ask, track, logger });

  app.error(async (err) => {
    logger.error({ err }, 'slack listener error');
  });

  // Slack being unreachable at start must not take webhooks and alerting down with it: only
  // refused credentials fail the start; anything retryable is retried here with backoff.
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  const connect = async () => {
    await app.init();
    await app.start();
    logger.info({ mode: settings.mode }, 'slack connected');
  };
  const retryBackoff = { baseMs: opts.retryDelayMs ?? 1000, maxMs: 60_000, jitter: [1, 1] } as const;
  const retryLater = (attempt: number) => {
    retryTimer = setTimeout(
      () => {
        if (stopped) return;
        connect().catch((err: unknown) => {
          const failure = slackFailure(err);
          if (!failure.retryable) return logger.error({ reason: failure.reason }, 'slack refused to connect; Slack chat stays off');
          logger.warn({ reason: failure.reason, retryInMs: backoffDelay(attempt + 1, retryBackoff) }, 'slack still unreachable');
          retryLater(attempt + 1);
        });
      },
      backoffDelay(attempt, retryBackoff),
    );
  };

  return {
    name: 'slack-chat',
    app,
    httpPlugin,
    post: (channel, reply) => postAll(app.client, channel, renderSlackReply(reply)),
    async start() {
      try {
        await connect();
      } catch (err) {
        const failure = slackFailure(err);
        if (!failure.retryable) throw new Error(`Slack refused to connect: ${failure.reason}`, { cause: err });
        logger.warn({ reason: failure.reason }, 'slack unreachable; retrying in the background');
        retryLater(0);
      }
    },
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      await app.stop();
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** The command text of a mention or DM: our own mention removed, Slack's escaping undone. */
export function stripMentions(text: string, botUserId?: string): string {
  const own = botUserId ? new RegExp(`\\s*<@${botUserId}(?:\\|[^>]*)?>\\s*`, 'g') : /^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>\s*/;
  return slackUnescape(text.replace(own, ' ')).trim();
}

function isLong(messages: SlackMessage[], threadOverBlocks: number): boolean {
  return messages.length > 1 || (messages[0]?.blocks.length ?? 0) > threadOverBlocks;
}

async function postAll(client: webApi.WebClient, channel: string, messages: SlackMessage[], threadTs?: string): Promise<void> {
  for (const m of messages) {
    await client.chat.postMessage({
      channel,
      text: m.text,
      blocks: m.blocks as types.KnownBlock[],
      unfurl_links: false,
      unfurl_media: false,
      ...(threadTs ? { thread_ts: threadTs } : {}),
    });
  }
}

/** Answers through `response_url`: in the channel, or only to the caller for errors. */
async function respondAll(respond: RespondFn, reply: Reply, messages: SlackMessage[]): Promise<void> {
  const parts = messages.slice(0, MAX_RESPONSES);
  for (const m of parts) {
    await respond({ response_type: reply.error ? 'ephemeral' : 'in_channel', replace_original: false, text: m.text, blocks: m.blocks });
  }
}
