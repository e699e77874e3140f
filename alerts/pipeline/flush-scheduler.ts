/**
 * Flush scheduler: runs each group's flush when it is due. Due times live in one sorted set
 * (`{p}:due`), written by ingest and by each flush's commit in the same Lua call as the group's
 * state, so a group never waits for a flush nobody scheduled. A scheduler claims what is due in
 * batches (`lua/flush-claim.lua`: a lease per group, so replicas never flush one group at once
 * and the groups of a scheduler that died come due again when their leases end), runs up to
 * `concurrency` flushes at a time, and otherwise waits on a connection of its own until the
 * earliest due time, or until a wake-up says an earlier one came in. While groups keep coming due,
 * claims are at least `spacingMs` apart, so the groups that came due meanwhile are flushed
 * together. A flush that failed is due again after a second. Per new group this costs a claim shared with the other groups due at the
 * same time, the flush's own reads and writes, and no queue job.
 */
import type { Redis } from 'ioredis';
import { backoffDelay } from '../../core/backoff.ts';
import type { Logger } from '../../core/logger.ts';
import type { PipelineKeys } from './keys.ts';
import type { PipelineScripts } from './scripts.ts';

export interface FlushSchedulerDeps {
  /** Command connection (shared with the flushes). */
  redis: Redis;
  /** Opens the connection of its own the blocking wait needs (at start, so a process that never flushes opens none). */
  connect(): Redis;
  keys: PipelineKeys;
  scripts: PipelineScripts;
  /** Flushes run at a time. */
  concurrency: number;
  /** Least time between two claims (ms): under load, groups that come due meanwhile are claimed, and flushed, together. */
  spacingMs: number;
  /** How long a claimed group stays the scheduler's (ms): a flush running longer may run twice (harmless, not useful). */
  leaseMs: number;
  /** Flushes a group; answers the outcome (`gone` and `idle` release it). */
  flush(gk: string): Promise<string>;
  logger: Logger;
  /** The clock of the due times (epoch ms); `Date.now` by default. */
  now?: () => number;
}

/** Longest wait without a look at the due set (a lost wake-up costs at most this). */
const MAX_WAIT_MS = 5000;
const RETRY_MS = 1000;

export function createFlushScheduler(d: FlushSchedulerDeps) {
  const clock = d.now ?? Date.now;
  const k = d.keys;
  const running = new Set<Promise<void>>();
  let stopping = false;
  let loop: Promise<void> | undefined;
  let blocking: Redis | undefined;
  let claimedAt = -Infinity;

  const run = (gk: string) => {
    const release = (retryAt: number | '') => d.scripts.flushRelease([k.due, k.groupMeta(gk)], [gk, retryAt]);
    const flush = d
      .flush(gk)
      .then(async (outcome) => {
        if (outcome === 'gone' || outcome === 'idle') await release('');
      })
      .catch(async (err: Error) => {
        d.logger.warn({ err: err.message, gk }, 'flush failed; it is due again shortly');
        // When even this fails, the lease's end makes the group due again.
        await release(clock() + RETRY_MS).catch(() => undefined);
      })
      .finally(() => running.delete(flush));
    running.add(flush);
  };

  /**
   * Waits up to `ms` for a wake-up. Redis checks blocking timeouts only about ten times a second,
   * so a local timer ends the wait on time by leaving a wake-up itself (another scheduler may take
   * it and the due group with it; then this one waits out BLPOP's own timeout, a second later).
   */
  const wait = async (ms: number) => {
    const timer = setTimeout(() => {
      d.redis.lpush(k.dueWake, 1).catch(() => undefined);
      d.redis.ltrim(k.dueWake, 0, 0).catch(() => undefined);
    }, ms);
    try {
      await blocking!.blpop(k.dueWake, ms / 1000 + 1);
    } finally {
      clearTimeout(timer);
    }
  };

  const cycle = async () => {
    let errors = 0;
    while (!stopping) {
      try {
        const free = d.concurrency - running.size;
        if (free <= 0) {
          await Promise.race(running);
          continue;
        }
        const [claimed, first] = await d.scripts.flushClaim([k.due, k.dueWake], [clock(), d.leaseMs, free]);
        errors = 0;
        for (const gk of claimed) run(gk);
        if (claimed.length === free) continue;
        if (claimed.length > 0) claimedAt = clock();
        const until = first === null ? MAX_WAIT_MS : Number(first) - clock();
        if (until > 0) await wait(Math.min(until, MAX_WAIT_MS));
        // Groups keep coming due: let the next ones gather for the rest of the spacing, so they
        // are claimed and flushed together (their reads, commits and sends share writes to Redis).
        const gather = claimedAt + d.spacingMs - clock();
        if (gather > 0) await new Promise((r) => setTimeout(r, gather));
      } catch (err) {
        if (stopping) break;
        errors++;
        d.logger.warn({ err: (err as Error).message }, 'flush scheduler could not read due groups; retrying');
        await new Promise((r) => setTimeout(r, backoffDelay(errors - 1, { baseMs: 100, maxMs: MAX_WAIT_MS })));
      }
    }
  };

  /**
   * Gives every open group without a due time one at its `next` (groups written before due times
   * existed). A group's state and due time are otherwise always written together.
   */
  const repair = async () => {
    let cursor = '0';
    do {
      const [next, gks] = await d.redis.sscan(k.groups, cursor, 'COUNT', 500);
      cursor = next;
      if (gks.length === 0) continue;
      const read = d.redis.pipeline();
      for (const gk of gks) read.zscore(k.due, gk).hget(k.groupMeta(gk), 'next');
      const res = (await read.exec()) ?? [];
      const add: Array<string | number> = [];
      gks.forEach((gk, i) => {
        const [score, at] = [res[2 * i]?.[1], res[2 * i + 1]?.[1]];
        if (score === null) add.push(Number(at ?? 0) || clock(), gk);
      });
      if (add.length > 0) await d.redis.zadd(k.due, 'NX', ...add);
    } while (cursor !== '0');
  };

  return {
    async start(): Promise<void> {
      await repair();
      blocking = d.connect();
      stopping = false;
      loop = cycle();
    },
    async stop(): Promise<void> {
      stopping = true;
      blocking?.disconnect();
      await loop;
      await Promise.all(running);
    },
  };
}
