/**
 * Notify: one notification for one destination (a `NotifyJob`), run by the notify queue's worker
 * or sent at once by the process whose flush decided it (`direct-delivery.ts`). Waits for the
 * destination's rate limit (answers when to try again instead of holding a slot), takes a
 * per-(incident, destination) lock (renewed while a send is in flight, so a slow send never
 * outlives it; for a destination without a rate limit the commit that recorded a direct delivery
 * took it already, see `claimFor`), posts or updates the incident's message through the
 * notifier of the destination's kind, and stores the `MessageRef` (with the notification's `seq`,
 * compare-and-set: a newer one is never overwritten) and the destination's notification-log
 * entry (only now, after the delivery succeeded, as Alertmanager's SetNotifiesStage); it also
 * appends a delivery record per alert and counts the outcome.
 * Idempotent: a retried or older notification never posts twice or overwrites a newer one. A
 * crash between the platform accepting a first post and the ref being stored is covered by an
 * in-flight marker, set atomically with reading the ref before every first post and cleared
 * when the ref is stored: a delivery that finds the marker without a ref asks the notifier's
 * `find` (where the platform can read messages back) and adopts the message it finds, as an
 * update or as done when it already shows this notification, instead of posting again. Notifiers
 * without `find` post again (the webhook one with the same Idempotency-Key).
 * `RetryableError` is retried with exponential backoff honouring Retry-After; `TerminalError`
 * (and exhausting the attempts) records the failure in the failed-deliveries list and leaves the
 * log entry unwritten, so the group's next flush tries again.
 */
import { randomUUID } from 'node:crypto';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../core/logger.ts';
import type { Metrics } from '../../core/metrics.ts';
import { backoffDelay } from '../../core/backoff.ts';
import { TerminalError } from '../../core/errors.ts';
import { createSlidingWindowLimiter } from '../../core/rate-limit.ts';
import { createRedactor, secretValues } from '../../core/redact.ts';
import type { AlertsConfig } from '../config-schema.ts';
import { RetryableError, type MessageRef } from '../notifiers/types.ts';
import type { NotifierRegistry } from '../notifiers/registry.ts';
import type { PipelineKeys } from './keys.ts';
import type { ClaimAnswer, PipelineScripts } from './scripts.ts';
import type { DeliveryRecord, FailedDelivery, NotifyJob } from './types.ts';

export interface NotifyDeps {
  config: AlertsConfig;
  redis: Redis;
  keys: PipelineKeys;
  scripts: PipelineScripts;
  notifiers: NotifierRegistry;
  metrics: Metrics;
  logger: Logger;
  /** The clock (epoch ms); `Date.now` by default. */
  now?: () => number;
}

const MESSAGE_TTL_S = 30 * 86_400;
/** How long an unfinished first post stays worth looking up (a week, like a closed incident). */
const ATTEMPT_TTL_S = 7 * 86_400;
/** Looking up starts this long before the first try: platform clocks (Slack `ts`) may differ from ours. */
const FIND_MARGIN_MS = 5 * 60_000;

/** Exponential backoff with jitter, never shorter than the destination's Retry-After. */
export function notifyBackoff(cfg: AlertsConfig['notify'], attemptsMade: number, err?: Error): number {
  const jittered = backoffDelay(attemptsMade - 1, { baseMs: cfg.backoff, maxMs: cfg.maxBackoff, jitter: [0.8, 1.2] });
  const after = err instanceof RetryableError ? err.retryAfterMs : undefined;
  return after !== undefined ? Math.max(after, Math.min(jittered, cfg.backoff)) : jittered;
}

/** One try of a delivery: the job, the tries made before it and how many it may take in all. */
export interface NotifyAttempt {
  data: NotifyJob;
  attemptsMade: number;
  attempts: number;
  /**
   * Called when the delivery ends for good (sent, superseded, failed), in the same tick as the
   * script that ends it, so its commands share that write to Redis (`direct-delivery.ts` takes
   * the delivery out of its outbox).
   */
  ended?: () => Promise<unknown>;
  /** The claim of the delivery's message made for it beforehand (by the commit that recorded it, see `claimFor`). */
  claimed?: MessageClaim;
}

/** A claim of a delivery's message: our lock token and, once made, the answer. */
export interface MessageClaim {
  token: string;
  /** The message ref, in-flight marker and lock keys. */
  keys: [msg: string, attempt: string, lock: string];
  answer?: ClaimAnswer;
}

/** Not now: the destination's rate limit or another delivery of the same message holds it until `retryAt` (epoch ms). */
export interface NotifyLater {
  retryAt: number;
}

export function createNotifyDelivery(d: NotifyDeps) {
  const k = d.keys;
  const clock = d.now ?? Date.now;
  const lockMs = d.config.notify.timeout + 1000;
  const limits = d.config.notify.rateLimits as Record<string, { max: number; per: number } | undefined>;
  const limiter = createSlidingWindowLimiter(d.redis);
  const claimOf = ({ notification: n, destination }: NotifyJob): MessageClaim => ({
    token: randomUUID(),
    keys: [
      k.message(n.incidentId, destination.key),
      k.messageAttempt(n.incidentId, destination.key),
      k.messageLock(n.incidentId, destination.key),
    ],
  });

  /**
   * The delivery is over without a send: failed for good (no log entry: the group's next flush
   * decides for the destination again), or superseded by a newer notification on show there
   * (`told`: its log entry is written, as the destination is at least that far).
   */
  const settle = (a: NotifyAttempt, told: boolean) =>
    Promise.all([
      d.scripts.settle(
        [k.nflog(a.data.notification.groupKey), k.groupMeta(a.data.notification.groupKey)],
        [a.data.destination.key, a.data.log?.seq ?? a.data.notification.seq, told && a.data.log ? JSON.stringify(a.data.log) : ''],
      ),
      a.ended?.(),
    ]);

  const recordFailure = async (a: NotifyAttempt, err: Error) => {
    const { notification: n, destination } = a.data;
    await settle(a, false);
    const failure: FailedDelivery = {
      notificationId: n.id,
      receiver: n.receiver,
      kind: destination.kind,
      destination: destination.key,
      ref: n.ref,
      // The destination's own credentials (headers, tokens, URL parameters) never reach the record.
      error: createRedactor(secretValues(destination.config))(err.message),
      attempts: a.attemptsMade + 1,
      at: new Date(clock()).toISOString(),
    };
    await d.redis
      .multi()
      .lpush(k.failed, JSON.stringify(failure))
      .ltrim(k.failed, 0, d.config.failedKeep - 1)
      .exec();
    d.metrics.notifications.inc({ receiver: n.receiver, kind: destination.kind, outcome: 'failed' });
    d.logger.error({ err, notification: n.id, receiver: n.receiver, destination: destination.key }, 'delivery failed for good');
  };

  /**
   * Tries the delivery once: answers its outcome (`sent`, `updated`, `recovered`, `superseded`)
   * or when to try again without counting a try; throws a `RetryableError` to be retried after a
   * backoff, or an `UnrecoverableError` once the failure is recorded.
   */
  const deliver = async function deliver(a: NotifyAttempt): Promise<string | NotifyLater> {
    const { notification: n, destination } = a.data;
    const notifier = d.notifiers.get(destination.kind);
    if (!notifier) {
      const err = new TerminalError(`no notifier for destination kind "${destination.kind}"`);
      await recordFailure(a, err);
      throw new UnrecoverableError(err.message);
    }
    let claim = a.claimed;
    if (!claim) {
      const limit = limits[destination.kind];
      if (limit) {
        const verdict = await limiter.take(k.rateLimit(destination.key), { max: limit.max, windowMs: limit.per });
        if (!verdict.allowed) return { retryAt: Date.now() + verdict.retryAfterMs };
      }
      claim = claimOf(a.data);
      claim.answer = await d.scripts.claim(claim.keys, [clock(), ATTEMPT_TTL_S, claim.token, lockMs]);
    }
    const {
      token: lockToken,
      keys: [msgKey, attemptKey, lockKey],
      answer: claimed,
    } = claim;
    if (!claimed) return { retryAt: Date.now() + 100 + Math.floor(Math.random() * 100) };
    const [stored, marker] = claimed;
    // A send may take longer than the lock (several Slack history pages, an update and a post):
    // the lock is extended while we hold it, so no other delivery of this message starts meanwhile.
    const renewal = setInterval(
      () => {
        d.scripts
          .renew(lockKey, lockToken, lockMs)
          .then((held) => {
            if (!held) d.logger.warn({ notification: n.id, destination: destination.key }, 'message lock lost during a send');
          })
          .catch(() => undefined);
      },
      Math.max(50, Math.floor(lockMs / 3)),
    );
    renewal.unref();
    /** Set once the delivered script released the lock with the delivery's outcome. */
    let released = false;
    try {
      let previous = stored ? (JSON.parse(stored) as { ref: MessageRef; seq: number }) : undefined;
      if (previous && previous.seq >= n.seq) {
        await settle(a, true);
        d.metrics.notifications.inc({ receiver: n.receiver, kind: destination.kind, outcome: 'skipped' });
        return 'superseded';
      }
      const fail = async (err: unknown): Promise<never> => {
        const e = err as Error;
        const terminal = e instanceof TerminalError || e instanceof UnrecoverableError;
        const last = a.attemptsMade + 1 >= a.attempts;
        if (terminal || last) {
          await recordFailure(a, e);
          throw new UnrecoverableError(e.message);
        }
        d.metrics.notifications.inc({ receiver: n.receiver, kind: destination.kind, outcome: 'retried' });
        throw e instanceof RetryableError ? e : new RetryableError(e.message, undefined, { cause: e });
      };
      const store = async (ref: MessageRef, seq: number, updated: boolean, withRecords: boolean) => {
        const log = a.data.log;
        const record: DeliveryRecord = {
          receiver: n.receiver,
          kind: destination.kind,
          channel: ref.channel,
          messageId: ref.id,
          incidentId: n.incidentId,
          ref: n.ref,
          status: n.status,
          updated,
          at: new Date(clock()).toISOString(),
        };
        const told = withRecords ? [...n.firing, ...n.resolved].map((a) => k.deliveries(a.fingerprint)) : [];
        clearInterval(renewal);
        // One script call (it also releases the lock), so it joins the other deliveries' commands in one write to Redis.
        await Promise.all([
          d.scripts.delivered(
            [msgKey, attemptKey, k.groupMeta(n.groupKey), k.nflog(n.groupKey), lockKey, ...told],
            [
              JSON.stringify({ ref, seq }),
              seq,
              MESSAGE_TTL_S,
              destination.key,
              log ? JSON.stringify(log) : '',
              log?.seq ?? n.seq,
              told.length > 0 ? JSON.stringify(record) : '',
              lockToken,
            ],
          ),
          a.ended?.(),
        ]);
        released = true;
        d.metrics.notifications.inc({
          receiver: n.receiver,
          kind: destination.kind,
          outcome: !withRecords ? 'skipped' : updated ? 'updated' : 'sent',
        });
        if (withRecords && n.acceptedAt)
          d.metrics.alertNotifySeconds.observe({ receiver: n.receiver }, Math.max(0, clock() - Date.parse(n.acceptedAt)) / 1000);
      };
      if (!previous && marker !== null && notifier.find) {
        // A first post was tried before and its ref never stored: it may have been delivered.
        const found = await notifier.find(destination.config, n, Number(marker) - FIND_MARGIN_MS).catch(fail);
        if (found) {
          const ref: MessageRef = { id: found.id, channel: found.channel };
          if (found.seq >= n.seq) {
            // This very notification (or a newer one) is on show already: adopt it, post nothing.
            const mine = found.notificationId === n.id;
            await store(ref, found.seq, false, mine);
            return mine ? 'recovered' : 'superseded';
          }
          previous = { ref, seq: found.seq };
        }
      }
      const ref = await notifier.send(destination.config, n, previous?.ref).catch(fail);
      await store(ref, n.seq, Boolean(previous), true);
      return previous ? 'updated' : 'sent';
    } finally {
      clearInterval(renewal);
      if (!released) await d.scripts.unlock(lockKey, lockToken).catch(() => 0);
    }
  };
  return Object.assign(deliver, {
    /**
     * The claim a commit can make for the delivery when it records it (`lua/commit.lua`), saving
     * the delivery its own claim: only for a destination with a notifier and no rate limit, whose
     * claim needs no rate-limit slot taken first. Undefined otherwise.
     */
    claimFor: (data: NotifyJob): MessageClaim | undefined =>
      !limits[data.destination.kind] && d.notifiers.get(data.destination.kind) ? claimOf(data) : undefined,
    /** The claim's TTLs (marker s, lock ms), as the commit takes them. */
    claimTtls: [ATTEMPT_TTL_S, lockMs] as const,
  });
}

export type NotifyDelivery = ReturnType<typeof createNotifyDelivery>;

/** The notify queue's processor: one try per job; a delivery that must wait is moved to the delayed jobs. */
export function createNotifyProcessor(deliver: NotifyDelivery) {
  return async function processNotify(job: Job<NotifyJob>, token?: string): Promise<string> {
    const outcome = await deliver({ data: job.data, attemptsMade: job.attemptsMade, attempts: job.opts.attempts ?? 1 });
    if (typeof outcome === 'string') return outcome;
    await job.moveToDelayed(outcome.retryAt, token);
    throw new DelayedError();
  };
}
