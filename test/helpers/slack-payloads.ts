import { createHmac } from 'node:crypto';
import { FAKE_BOT_USER_ID, FAKE_TEAM_ID } from './fake-slack.ts';

/**
 * Payloads as Slack sends them (slash command, `app_mention`, DM `message`, `block_actions`)
 * and request signing v0, for HTTP-mode and Socket Mode tests.
 */

/** Headers of a request signed like Slack does: `v0=hex(hmac_sha256(secret, "v0:ts:body"))`. */
export function signSlackRequest(
  body: string,
  signingSecret: string,
  timestampSec = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(timestampSec), 'x-slack-signature': signature };
}

/** The form fields of a slash command invocation (HTTP mode posts them url-encoded). */
export function slashCommand(opts: {
  text: string;
  userId: string;
  channelId?: string;
  responseUrl: string;
  command?: string;
}): Record<string, string> {
  return {
    token: 'legacy-verification-token',
    team_id: FAKE_TEAM_ID,
    team_domain: 'fake',
    channel_id: opts.channelId ?? 'C0OPS',
    channel_name: 'ops',
    user_id: opts.userId,
    user_name: opts.userId.toLowerCase(),
    command: opts.command ?? '/ops',
    text: opts.text,
    api_app_id: 'AFAKE',
    response_url: opts.responseUrl,
    trigger_id: '1.2.3',
  };
}

let eventCounter = 0;

/** An Events API callback wrapping one event. */
export function eventCallback(event: Record<string, unknown>): Record<string, unknown> {
  eventCounter++;
  return {
    token: 'legacy-verification-token',
    team_id: FAKE_TEAM_ID,
    api_app_id: 'AFAKE',
    event,
    type: 'event_callback',
    event_id: `Ev${String(eventCounter).padStart(8, '0')}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: FAKE_TEAM_ID, user_id: FAKE_BOT_USER_ID, is_bot: true }],
  };
}

const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++eventCounter).padStart(6, '0')}`;

/** `@firstmate <text>` in a channel, as an `app_mention` event callback. */
export function mention(opts: {
  text: string;
  userId: string;
  channelId?: string;
  threadTs?: string;
  botUserId?: string;
}): Record<string, unknown> {
  const ts = nextTs();
  const event: Record<string, unknown> = {
    type: 'app_mention',
    user: opts.userId,
    text: `<@${opts.botUserId ?? FAKE_BOT_USER_ID}> ${opts.text}`,
    ts,
    channel: opts.channelId ?? 'C0OPS',
    event_ts: ts,
  };
  if (opts.threadTs) event.thread_ts = opts.threadTs;
  return eventCallback(event);
}

/** A direct message to the bot, as a `message` event callback with `channel_type: im`. */
export function directMessage(opts: { text: string; userId: string; channelId?: string }): Record<string, unknown> {
  const ts = nextTs();
  return eventCallback({
    type: 'message',
    channel_type: 'im',
    user: opts.userId,
    text: opts.text,
    ts,
    channel: opts.channelId ?? 'D0DM',
    event_ts: ts,
  });
}

/** A button press (`block_actions`) on a message the bot posted. */
export function buttonPress(opts: {
  value: string;
  userId: string;
  channelId?: string;
  messageTs?: string;
  responseUrl: string;
  actionId?: string;
}): Record<string, unknown> {
  const channel = opts.channelId ?? 'C0OPS';
  const messageTs = opts.messageTs ?? nextTs();
  return {
    type: 'block_actions',
    user: { id: opts.userId, username: opts.userId.toLowerCase(), team_id: FAKE_TEAM_ID },
    api_app_id: 'AFAKE',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: messageTs, channel_id: channel, is_ephemeral: false },
    trigger_id: '1.2.3',
    team: { id: FAKE_TEAM_ID, domain: 'fake' },
    channel: { id: channel, name: 'ops' },
    message: { type: 'message', user: FAKE_BOT_USER_ID, ts: messageTs, text: 'alert' },
    response_url: opts.responseUrl,
    actions: [
      {
        action_id: opts.actionId ?? 'firstmate:cmd:0',
        block_id: 'b1',
        text: { type: 'plain_text', text: 'Ack' },
        value: opts.value,
        type: 'button',
        action_ts: nextTs(),
      },
    ],
  };
}

/**
 * The submission of a modal the bot opened (`view_submission`): `view` is the view as passed to
 * `views.open`, `values` the input state by block id and action id.
 */
export function viewSubmission(opts: {
  view: Record<string, unknown>;
  userId: string;
  values: Record<string, Record<string, string>>;
}): Record<string, unknown> {
  const values = Object.fromEntries(
    Object.entries(opts.values).map(([blockId, actions]) => [
      blockId,
      Object.fromEntries(Object.entries(actions).map(([actionId, value]) => [actionId, { type: 'plain_text_input', value }])),
    ]),
  );
  return {
    type: 'view_submission',
    team: { id: FAKE_TEAM_ID, domain: 'fake' },
    user: { id: opts.userId, username: opts.userId.toLowerCase(), name: opts.userId.toLowerCase(), team_id: FAKE_TEAM_ID },
    api_app_id: 'AFAKE',
    token: 'legacy-verification-token',
    trigger_id: '4.5.6',
    view: { id: 'VFAKE', team_id: FAKE_TEAM_ID, app_id: 'AFAKE', bot_id: 'BFIRSTMATE', hash: '1.abc', ...opts.view, state: { values } },
    response_urls: [],
  };
}
