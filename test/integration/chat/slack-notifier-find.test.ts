import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { webApi } from '@slack/bolt';
import { createSlackNotifier, createSlackNotifierClient } from '../../../alerts/notifiers/slack.ts';
import { RetryableError } from '../../../alerts/notifiers/types.ts';
import { TerminalError } from '../../../core/errors.ts';
import { createLogger } from '../../../core/logger.ts';
import { startFakeSlack, type FakeSlack } from '../../helpers/fake-slack.ts';
import { testNotification } from '../../helpers/notification.ts';

const logger = createLogger('silent');
let fake: FakeSlack;
let channelCounter = 0;

beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => {
  fake.calls.length = 0;
});

const client = () => createSlackNotifierClient({ botToken: 'xoxb-notify', apiUrl: fake.apiUrl, logger });
const notifier = () => createSlackNotifier(client());
const freshChannel = () => ({ channel: `C0FIND${++channelCounter}` });
const hourAgo = () => Date.now() - 3_600_000;

const notification = testNotification;

describe('Slack notifier find', () => {
  it('posts and updates with metadata naming incident, notification and seq, and finds the message by it', async () => {
    const dest = freshChannel();
    const n = notifier();
    const ref = await n.send(dest, notification());
    expect(fake.callsTo('chat.postMessage')[0]!.params.metadata).toEqual({
      event_type: 'firstmate_notification',
      event_payload: { incident: 'i-1', notification: 'n-1', seq: 1 },
    });
    expect(await n.find!(dest, notification({ id: 'n-2', seq: 2 }), hourAgo())).toEqual({ ...ref, notificationId: 'n-1', seq: 1 });
    const history = fake.callsTo('conversations.history')[0]!.params;
    expect(history).toMatchObject({ channel: dest.channel, include_all_metadata: 'true', limit: '50' });
    expect(Number(history.oldest)).toBeGreaterThan(Date.now() / 1000 - 3700);

    await n.send(dest, notification({ id: 'n-2', seq: 2, status: 'resolved' }), ref);
    expect(fake.callsTo('chat.update')[0]!.params.metadata).toEqual({
      event_type: 'firstmate_notification',
      event_payload: { incident: 'i-1', notification: 'n-2', seq: 2 },
    });
    expect(await n.find!(dest, notification({ id: 'n-3', seq: 3 }), hourAgo())).toEqual({ ...ref, notificationId: 'n-2', seq: 2 });
  });

  it('finds nothing where only other incidents, other apps or older messages are', async () => {
    const dest = freshChannel();
    const n = notifier();
    await n.send(dest, notification({ incidentId: 'i-other', id: 'n-9' }));
    await client().chat.postMessage({
      channel: dest.channel,
      text: 'someone else',
      metadata: { event_type: 'task_created', event_payload: { incident: 'i-1' } },
    });
    await client().chat.postMessage({ channel: dest.channel, text: 'no metadata at all' });
    expect(await n.find!(dest, notification(), hourAgo())).toBeUndefined();

    const mine = await n.send(dest, notification());
    expect(await n.find!(dest, notification(), hourAgo())).toMatchObject({ id: mine.id, notificationId: 'n-1' });
    // Posted before the window: not a candidate.
    expect(await n.find!(dest, notification(), Date.now() + 5_000)).toBeUndefined();
  });

  it('reads further pages of a busy channel, newest match first', async () => {
    const dest = freshChannel();
    const n = notifier();
    const early = await n.send(dest, notification());
    const later = await n.send(dest, notification({ id: 'n-2', seq: 2 }));
    for (let i = 0; i < 70; i++) await n.send(dest, notification({ incidentId: `i-busy-${i}`, id: `n-busy-${i}` }));
    fake.calls.length = 0;
    const found = await n.find!(dest, notification({ id: 'n-3', seq: 3 }), hourAgo());
    expect(found).toMatchObject({ id: later.id, seq: 2, notificationId: 'n-2' });
    expect(found?.id).not.toBe(early.id);
    expect(fake.callsTo('conversations.history').map((c) => c.params.cursor)).toEqual([undefined, '50']);
  });

  it('does not look up a #name destination (history needs a channel id)', async () => {
    expect(await notifier().find!({ channel: '#alerts' }, notification(), hourAgo())).toBeUndefined();
    expect(fake.calls).toHaveLength(0);
  });

  it('maps history errors: rate limits and 5xx retry, unknown channels do not', async () => {
    const dest = freshChannel();
    fake.failNext(1, { status: 429, retryAfterSec: 3 });
    const limited = await notifier().find!(dest, notification(), hourAgo()).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RetryableError);
    expect((limited as RetryableError).retryAfterMs).toBe(3000);
    fake.failNext(1, { status: 503 });
    await expect(notifier().find!(dest, notification(), hourAgo())).rejects.toBeInstanceOf(RetryableError);
    for (const code of ['channel_not_found', 'invalid_auth', 'is_archived']) {
      fake.failNext(1, { error: code });
      const err = await notifier().find!(dest, notification(), hourAgo()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TerminalError);
      expect((err as Error).message).toContain(code);
      expect((err as Error).cause).toMatchObject({ code: webApi.ErrorCode.PlatformError });
    }
    await expect(notifier().find!({}, notification(), hourAgo())).rejects.toBeInstanceOf(TerminalError);
  });

  it('answers "nothing found", with a warning, when the channel cannot be read back (no history scope, not a member)', async () => {
    const dest = freshChannel();
    const lines: string[] = [];
    const warned = createSlackNotifier(client(), { logger: createLogger('warn', { write: (l: string) => lines.push(l) }) });
    await warned.send(dest, notification());
    for (const code of ['missing_scope', 'not_in_channel']) {
      fake.failNext(1, { error: code });
      expect(await warned.find!(dest, notification(), hourAgo())).toBeUndefined();
    }
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('missing_scope');
    expect(lines[1]).toContain('channels:history');
  });
});
