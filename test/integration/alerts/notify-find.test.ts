import { afterEach, describe, expect, it } from 'vitest';
import { RetryableError, type FoundMessage, type MessageRef, type Notification, type Notifier } from '../../../alerts/notifiers/types.ts';
import { genericAlert, startHub, waitFor, type Hub } from '../../helpers/alert-hub.ts';

let hub: Hub | undefined;
afterEach(async () => {
  await hub?.stop();
  hub = undefined;
});

const alerts = {
  route: { receiver: 'console', group_wait: '50ms', group_interval: '300ms', repeat_interval: '1h', group_by: ['alertname'] },
  notify: { backoff: '50ms', timeout: '2s' },
};

/**
 * A console notifier whose first post is taken but its answer lost (it throws), and whose `find`
 * answers what `found` makes of the notification it is asked about.
 */
function lostAnswerNotifier(found: (n: Notification) => FoundMessage | undefined) {
  const sends: Array<{ notification: Notification; previous?: MessageRef }> = [];
  const finds: Array<{ notification: Notification; sinceMs: number }> = [];
  const notifier: Notifier = {
    kind: 'console',
    async send(_destination, notification, previous) {
      sends.push({ notification, previous });
      if (sends.length === 1) throw new RetryableError('the answer was lost');
      return previous ?? { id: `posted-${sends.length}`, channel: 'console' };
    },
    async find(_destination, notification, sinceMs) {
      finds.push({ notification, sinceMs });
      return found(notification);
    },
  };
  return { notifier, sends, finds };
}

async function stored(h: Hub) {
  const p = h.deps.config.redis.prefix;
  const [msg] = await h.deps.redis.keys(`${p}:msg:*`);
  return {
    message: msg ? (JSON.parse((await h.deps.redis.get(msg))!) as { ref: MessageRef; seq: number }) : undefined,
    markers: (await h.deps.redis.keys(`${p}:msgtry:*`)).length,
  };
}

describe('notify worker: a first post whose answer was lost', () => {
  it('adopts the message when it shows this very notification, and updates it with the next one', async () => {
    hub = await startHub({ alerts });
    const started = Date.now();
    const t = lostAnswerNotifier((n) => ({ id: 'm-lost', channel: 'console', notificationId: n.id, seq: n.seq }));
    hub.deps.alerts.notifiers.register(t.notifier);
    await hub.post('/webhooks/generic', genericAlert('LostAnswer', { i: 'a' }));
    await waitFor(async () => (await stored(hub!)).message, 'the adopted ref');
    expect(t.sends).toHaveLength(1);
    expect(t.finds).toHaveLength(1);
    expect(t.finds[0]!.notification.id).toBe(t.sends[0]!.notification.id);
    // The lookup window starts a margin before the first try.
    expect(t.finds[0]!.sinceMs).toBeGreaterThanOrEqual(started - 5 * 60_000 - 1000);
    expect(t.finds[0]!.sinceMs).toBeLessThanOrEqual(Date.now() - 5 * 60_000);
    expect(await stored(hub)).toEqual({
      message: { ref: { id: 'm-lost', channel: 'console' }, seq: t.sends[0]!.notification.seq },
      markers: 0,
    });

    await hub.post('/webhooks/generic', genericAlert('LostAnswer', { i: 'b' }));
    await waitFor(() => t.sends.length >= 2, 'the next notification');
    expect(t.sends[1]!.previous).toEqual({ id: 'm-lost', channel: 'console' });
    expect(t.finds).toHaveLength(1);
  });

  it('updates the message found when it shows an earlier notification of the incident', async () => {
    hub = await startHub({ alerts });
    const t = lostAnswerNotifier((n) => ({ id: 'm-older', channel: 'console', notificationId: 'an-earlier-one', seq: n.seq - 1 }));
    hub.deps.alerts.notifiers.register(t.notifier);
    await hub.post('/webhooks/generic', genericAlert('OlderFound'));
    await waitFor(() => t.sends.length >= 2, 'the retry');
    expect(t.sends[1]!.previous).toEqual({ id: 'm-older', channel: 'console' });
    await waitFor(async () => (await stored(hub!)).markers === 0, 'the marker cleared');
    expect((await stored(hub)).message).toEqual({ ref: { id: 'm-older', channel: 'console' }, seq: t.sends[1]!.notification.seq });
  });

  it('posts nothing when a newer notification is on show already; posts when nothing is found', async () => {
    hub = await startHub({ alerts });
    const newer = lostAnswerNotifier((n) => ({ id: 'm-newer', channel: 'console', notificationId: 'a-newer-one', seq: n.seq + 1000 }));
    hub.deps.alerts.notifiers.register(newer.notifier);
    await hub.post('/webhooks/generic', genericAlert('NewerFound'));
    await waitFor(async () => (await stored(hub!)).message, 'the adopted ref');
    await hub.nextDecision((e) => !e.notify);
    expect(newer.sends).toHaveLength(1);
    expect(await stored(hub)).toEqual({
      message: { ref: { id: 'm-newer', channel: 'console' }, seq: newer.sends[0]!.notification.seq + 1000 },
      markers: 0,
    });

    await hub.stop();
    hub = await startHub({ alerts });
    const none = lostAnswerNotifier(() => undefined);
    hub.deps.alerts.notifiers.register(none.notifier);
    await hub.post('/webhooks/generic', genericAlert('NothingFound'));
    await waitFor(async () => (await stored(hub!)).message, 'the posted ref');
    expect(none.sends.map((s) => s.previous)).toEqual([undefined, undefined]);
    expect(none.finds).toHaveLength(1);
    expect(await stored(hub)).toEqual({
      message: { ref: { id: 'posted-2', channel: 'console' }, seq: none.sends[1]!.notification.seq },
      markers: 0,
    });
  });
});
