/**
 * Ingest, run by intake's group commit (and by the worker draining queued jobs of earlier
 * versions). Input: an `IngestJob` (the deliveries of one intake commit, routed and packed per
 * group where they were written). Output: alert state upserted per (group, fingerprint) by
 * `lua/ingest.lua`, many deliveries per call, the calls split to a bounded size and sent in one
 * round trip. The same calls set each new generation's flush due time (group_wait for a new
 * group; at once when an alert that started more than group_wait ago joins a group that has not
 * flushed yet; the next group_interval tick when an emptied group fires again), so a group's
 * state and its flush are written together. Idempotent: applying the same deliveries again
 * rewrites the same state.
 */
import type { Redis } from 'ioredis';
import type { AlertsConfig } from '../config-schema.ts';
import type { IngestPacker } from './ingest-pack.ts';
import type { PipelineKeys } from './keys.ts';
import type { PipelineScripts } from './scripts.ts';
import type { IngestJob, PackedGroup } from './types.ts';

export interface IngestDeps {
  redis: Redis;
  keys: PipelineKeys;
  scripts: PipelineScripts;
  /** Packs jobs written by earlier versions (deliveries instead of packed groups). */
  pack: IngestPacker;
  flapping: AlertsConfig['flapping'];
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
    let alerts = 0;
    const calls = splitCalls(groups, max).map((call) => {
      const keys = [d.keys.groups, d.keys.inhibitSources, d.keys.due, d.keys.dueWake];
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
      return { keys, args };
    });
    // One call (the usual size) goes out as it is; several share a pipeline, one round trip.
    let groupsScheduled = 0;
    if (calls.length === 1) groupsScheduled = await d.scripts.ingest(calls[0]!.keys, calls[0]!.args);
    else {
      const pipeline = d.redis.pipeline();
      for (const c of calls) d.scripts.queueIngest(pipeline, c.keys, c.args);
      for (const [err, scheduled] of (await pipeline.exec()) ?? []) {
        if (err) throw err;
        groupsScheduled += Number(scheduled);
      }
    }
    return { alerts, groups: groupsScheduled };
  };
}
