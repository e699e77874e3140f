/**
 * Ingest worker. Input: an `IngestJob` (the deliveries of one intake commit, routed and packed
 * per group where they were written). Output: alert state upserted per (group, fingerprint) by
 * `lua/ingest.lua`, many deliveries per call, the calls split to a bounded size and sent in one
 * round trip; then a delayed flush job (`f-<group>-<generation>`, group_wait for a new group; at
 * once when an alert that started more than group_wait ago joins a group that has not flushed yet;
 * the next group_interval tick when an emptied group fires again) for every touched group whose
 * current generation is not yet marked scheduled. Idempotent: re-running
 * a job rewrites the same state and re-adds the same job ids, which BullMQ ignores while they exist
 * and the flush ignores when their generation is stale.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AlertsConfig } from '../config-schema.ts';
import type { IngestPacker } from './ingest-pack.ts';
import { flushJobId, type PipelineKeys } from './keys.ts';
import type { PipelineScripts } from './scripts.ts';
import type { FlushJob, IngestJob, PackedGroup } from './types.ts';

export interface IngestDeps {
  redis: Redis;
  keys: PipelineKeys;
  scripts: PipelineScripts;
  /** Packs jobs written by earlier versions (deliveries instead of packed groups). */
  pack: IngestPacker;
  flapping: AlertsConfig['flapping'];
  flushQueue: Queue<FlushJob>;
  /** Most packed alerts per script call (Lua's unpack and the argument list stay bounded). */
  maxAlertsPerCall?: number;
  /** The clock (epoch ms); `Date.now` by default. */
  now?: () => number;
}

/** Splits groups into calls of at most `max` alerts; a larger group is split over calls. */
export function splitCalls(groups: readonly PackedGroup[], max: number): PackedGroup[][] {
  const calls: PackedGroup[][] = [];
  let call: PackedGroup[] = [];
  let size = 0;
  for (const g of groups) {
    for (let i = 0; i < g.alerts.length; i += max) {
      const part = i === 0 && g.alerts.length <= max ? g : { ...g, alerts: g.alerts.slice(i, i + max) };
      if (size > 0 && size + part.alerts.length > max) {
        calls.push(call);
        call = [];
        size = 0;
      }
      call.push(part);
      size += part.alerts.length;
    }
  }
  if (call.length > 0) calls.push(call);
  return calls;
}

export function createIngestProcessor(d: IngestDeps) {
  const flipKeep = Math.max(2, d.flapping.threshold + 1);
  const max = d.maxAlertsPerCall ?? 4000;
  const clock = d.now ?? Date.now;
  return async function processIngest(data: IngestJob): Promise<{ alerts: number; groups: number }> {
    const groups = 'packed' in data ? data.packed : d.pack('deliveries' in data ? data.deliveries : [data]).packed;
    if (groups.length === 0) return { alerts: 0, groups: 0 };
    const now = clock();
    const pipeline = d.redis.pipeline();
    let alerts = 0;
    for (const call of splitCalls(groups, max)) {
      const keys = [d.keys.groups, d.keys.inhibitSources];
      const args: Array<string | number> = [now, d.flapping.window, flipKeep, call.length];
      for (const g of call) {
        keys.push(
          d.keys.groupMeta(g.gk),
          d.keys.generation(g.gk),
          d.keys.groupState(g.gk),
          d.keys.groupAlerts(g.gk),
          d.keys.flips(g.gk),
          d.keys.nflog(g.gk),
        );
        args.push(g.gk, g.receiver, g.route, g.labels, g.owner, g.waitMs, g.alerts.length);
        for (const a of g.alerts) args.push(a);
        alerts += g.alerts.length;
      }
      d.scripts.ingest(pipeline, keys, args);
    }
    const results = (await pipeline.exec()) ?? [];
    const due = new Map<string, { gen: number; next: number }>();
    for (const [err, out] of results) {
      if (err) throw err;
      const list = out as string[];
      for (let i = 0; i + 2 < list.length; i += 3) due.set(list[i]!, { gen: Number(list[i + 1]), next: Number(list[i + 2]) });
    }
    const jobs = [...due].map(([gk, { gen, next }]) => ({
      name: 'flush',
      data: { gk, gen },
      opts: { jobId: flushJobId(gk, gen), delay: Math.max(0, next - now) },
    }));
    if (jobs.length > 0) {
      // One job (the usual case: a delivery touching one group) goes in by one script call;
      // `addBulk` wraps even one job in a transaction, which costs a pipeline and MULTI/EXEC.
      if (jobs.length === 1) await d.flushQueue.add(jobs[0]!.name, jobs[0]!.data, jobs[0]!.opts);
      else await d.flushQueue.addBulk(jobs);
      await d.scripts.scheduled(
        jobs.map((j) => d.keys.groupMeta(j.data.gk)),
        jobs.map((j) => String(j.data.gen)),
      );
    }
    return { alerts, groups: jobs.length };
  };
}
