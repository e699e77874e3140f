/**
 * Direct delivery: a process that runs both the flushes and the notify worker sends what its
 * flushes decide itself, right after the flush commits, instead of queueing a notify job for each
 * delivery (a queue job costs more Redis work and worker CPU than the send it carries).
 * Input: the notify jobs a flush decided. Output: each delivered (`notify.ts`), or queued.
 *
 * Nothing is lost on the way: the flush's commit (`lua/commit.lua`, one script call) records each
 * delivery with its destination's in-flight mark in the outbox, with the time after which it counts
 * as abandoned, atomically with the decision: a stale flush records nothing and sends nothing.
 * For destinations without a rate limit the same call claims the delivery's message (its lock,
 * stored ref and first-post marker), so the send needs no claim of its own. Whatever ends a
 * delivery for good (sent, superseded, failed) takes it out in the same write to Redis. A
 * delivery that must wait (rate limit, the message's lock, a retryable error) is handed to the
 * notify queue, with its delay, and then taken out. While a delivery runs, its process renews its time in the outbox; a process that stopped
 * mid-way leaves its deliveries there to lapse, and the next sweep of any process queues them as
 * jobs with the same id (taken over within about `leaseMs + sweepEveryMs`, like a queue job
 * whose worker died). Sending one again is harmless:
 * the message ref's compare-and-set and the in-flight marker (`notify.ts`) never post twice.
 * When the process has no free sending slot, or runs no notify worker, the deliveries are queued
 * as jobs straight away.
 */
import { UnrecoverableError, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../core/logger.ts';
import type { AlertsConfig } from '../config-schema.ts';
import { notifyJobId, type PipelineKeys } from './keys.ts';
import { notifyBackoff, type MessageClaim, type NotifyDelivery } from './notify.ts';
import type { ClaimAnswer, PipelineScripts } from './scripts.ts';
import type { NotifyJob } from './types.ts';

export interface DirectDeliveryDeps {
  config: AlertsConfig;
  /** Command connection (the flushes' own). */
  redis: Redis;
  keys: PipelineKeys;
  scripts: PipelineScripts;
  queue: Queue<NotifyJob>;
  /** The queue's connection: in-flight marks of queued deliveries go out on it before the jobs. */
  queueConnection: Redis;
  /** Sends one delivery; absent when this process runs no notify worker (everything is queued). */
  deliver?: NotifyDelivery;
  /**
   * How long a recorded delivery stays this process's without renewal (ms); renewed every half of
   * it while the delivery runs, so only a process that stopped lets it lapse (as a queue job's lock).
   */
  leaseMs: number;
  /** How often abandoned deliveries are looked for (ms). */
  sweepEveryMs: number;
  logger: Logger;
  /** The clock (epoch ms); `Date.now` by default. */
  now?: () => number;
}

/** A flush's deliveries, recorded or to be recorded by its commit. */
export interface RecordedDeliveries {
  /**
   * The commit's outbox arguments (`lua/commit.lua`): lease end, the claims' TTLs, count, eight
   * values per delivery. A delivery's JSON goes without its notification, which the commit
   * already has (all of one flush's deliveries carry the same one) and puts in front: it crosses
   * to Redis once. Where the destination allows (`claimFor`), the commit also claims the
   * delivery's message, so the send starts without a claim of its own.
   */
  commitArgs: Array<string | number>;
  /**
   * After the commit: starts the deliveries it recorded, with the claims it made for them
   * (`claims`, one per delivery, 0 where none was asked for), or gives up their slots when it
   * recorded nothing (`undefined`: stale or failed).
   */
  committed(claims: ReadonlyArray<0 | ClaimAnswer> | undefined): void;
}

/** The commit's outbox arguments when it records nothing. */
export const NOTHING_RECORDED: ReadonlyArray<string | number> = ['', '', '', 0];

const QUEUED: RecordedDeliveries = { commitArgs: [...NOTHING_RECORDED], committed() {} };

/** Most abandoned deliveries queued per sweep. */
const SWEEP_BATCH = 100;

export function createDirectDelivery(d: DirectDeliveryDeps) {
  const k = d.keys;
  const clock = d.now ?? Date.now;
  const slots = d.config.notify.concurrency;
  const attempts = d.config.notify.attempts;
  const running = new Set<Promise<void>>();
  /** Ids of the deliveries recorded here and not yet ended: their outbox times are renewed. */
  const held = new Set<string>();
  let reserved = 0;
  let sweeper: NodeJS.Timeout | undefined;
  let renewer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;

  const jobOf = (data: NotifyJob) => ({
    name: data.destination.kind,
    data,
    opts: { jobId: notifyJobId(data.notification.id, data.destination.key) },
  });
  const leave = (ids: string[]) => d.scripts.outboxLeave([k.outbox, k.outboxJobs], ids);

  /** Queues the jobs (marks first, on the queue's connection, in the same round trip). */
  const enqueue = async (gk: string, marks: Record<string, string>, jobs: NotifyJob[]) => {
    const queued = jobs.map(jobOf);
    const marked = d.queueConnection.hset(k.nflog(gk), marks);
    // A single delivery (the usual case) skips the transaction `addBulk` wraps jobs in.
    const added = queued.length === 1 ? d.queue.add(queued[0]!.name, queued[0]!.data, queued[0]!.opts) : d.queue.addBulk(queued);
    await Promise.all([marked, added]);
  };

  /** Hands a delivery that must wait to the queue, then takes it out of the outbox. */
  const handOver = async (data: NotifyJob, at: number, left: number) => {
    const { name, opts } = jobOf(data);
    await d.queue.add(name, data, { ...opts, delay: Math.max(0, at - clock()), attempts: left });
    await leave([opts.jobId]);
  };

  const run = (data: NotifyJob, id: string, claimed: MessageClaim | undefined) => {
    const deliver = d.deliver!;
    const sending = (async () => {
      try {
        const outcome = await deliver({ data, attemptsMade: 0, attempts, ended: () => leave([id]), ...(claimed ? { claimed } : {}) });
        if (typeof outcome !== 'string') await handOver(data, outcome.retryAt, attempts);
      } catch (err) {
        if (err instanceof UnrecoverableError) return;
        await handOver(data, clock() + notifyBackoff(d.config.notify, 1, err as Error), Math.max(1, attempts - 1));
      }
    })()
      .catch((err: Error) =>
        d.logger.warn(
          { err: err.message, notification: data.notification.id, destination: data.destination.key },
          'delivery left for the outbox sweep',
        ),
      )
      .finally(() => {
        running.delete(sending);
        held.delete(id);
      });
    running.add(sending);
  };

  /** Queues the deliveries abandoned by a process that stopped (any process may; job ids make it once). */
  const sweep = async () => {
    const ids = await d.redis.zrangebyscore(k.outbox, '-inf', clock(), 'LIMIT', 0, SWEEP_BATCH);
    if (ids.length === 0) return;
    const raw = await d.redis.hmget(k.outboxJobs, ...ids);
    const jobs = raw.flatMap((text) => (text ? [jobOf(JSON.parse(text) as NotifyJob)] : []));
    if (jobs.length > 0) await d.queue.addBulk(jobs);
    await leave(ids);
    d.logger.warn({ deliveries: jobs.length }, 'queued deliveries a stopped process left unsent');
  };

  return {
    /**
     * Records a flush's deliveries with their in-flight marks (`>destination` → `<gen>|<now>` in
     * the group's log): when this process can send them all now, through the commit into the
     * outbox (see `commitArgs`); else as notify jobs, queued before this resolves.
     */
    async record(gk: string, gen: number, now: number, jobs: NotifyJob[]): Promise<RecordedDeliveries> {
      if (!d.deliver || running.size + reserved + jobs.length > slots) {
        await enqueue(gk, Object.fromEntries(jobs.map((job) => [`>${job.destination.key}`, `${gen}|${now}`])), jobs);
        return QUEUED;
      }
      const deliver = d.deliver;
      const ids = jobs.map((job) => jobOf(job).opts.jobId);
      const claims = jobs.map((job) => deliver.claimFor(job));
      const commitArgs: Array<string | number> = [clock() + d.leaseMs, ...deliver.claimTtls, jobs.length];
      jobs.forEach((job, i) => {
        const claim = claims[i];
        commitArgs.push(
          `>${job.destination.key}`,
          `${gen}|${now}`,
          ids[i]!,
          JSON.stringify({ destination: job.destination, log: job.log }).slice(1),
          ...(claim ? [claim.token, ...claim.keys] : ['', '', '', '']),
        );
      });
      reserved += jobs.length;
      for (const id of ids) held.add(id);
      let settled = false;
      return {
        commitArgs,
        committed(answers) {
          if (settled) return;
          settled = true;
          reserved -= jobs.length;
          if (answers)
            jobs.forEach((job, i) => {
              const claim = claims[i];
              const answer = answers[i];
              run(job, ids[i]!, claim && answer !== 0 && answer !== undefined ? { ...claim, answer } : undefined);
            });
          // Not recorded (stale) or unknown (the commit failed): an entry the commit did write
          // lapses without renewal and the sweep queues it.
          else for (const id of ids) held.delete(id);
        },
      };
    },
    /** Deliveries recorded and not yet ended, for views (the outbox holds only a few at a time). */
    async pending(): Promise<NotifyJob[]> {
      return (await d.redis.hvals(k.outboxJobs)).map((text) => JSON.parse(text) as NotifyJob);
    },
    start(): void {
      sweeper = setInterval(() => {
        sweeping ??= sweep()
          .catch((err: Error) => d.logger.warn({ err: err.message }, 'outbox sweep failed; retrying'))
          .finally(() => (sweeping = undefined));
      }, d.sweepEveryMs);
      renewer = setInterval(
        () => {
          if (held.size === 0) return;
          const until = clock() + d.leaseMs;
          d.redis.zadd(k.outbox, 'XX', ...[...held].flatMap((id) => [until, id])).catch(() => undefined);
        },
        Math.max(50, Math.floor(d.leaseMs / 2)),
      );
      for (const timer of [sweeper, renewer]) timer.unref();
    },
    /** Stops sweeping and waits for the deliveries being sent. */
    async stop(): Promise<void> {
      clearInterval(sweeper);
      await sweeping;
      await Promise.all(running);
      clearInterval(renewer);
    },
  };
}

export type DirectDelivery = ReturnType<typeof createDirectDelivery>;
