/**
 * Ingest worker. Input: an `IngestJob` (the deliveries of one intake commit). Output: alert state
 * upserted per (group, fingerprint) in Redis by one Lua call, and a delayed flush job
 * (`f-<group>-<generation>`, group_wait for a new group; at once when an alert that started more
 * than group_wait ago joins a group that has not flushed yet; the next group_interval tick when an
 * emptied group fires again) for every touched group whose current generation is not yet marked
 * scheduled. Idempotent: re-running a job rewrites the same state
 * and re-adds the same job ids, which BullMQ ignores while they exist and the flush ignores when
 * their generation is stale.
 */
import type { Queue } from 'bullmq';
import type { AlertsConfig } from '../config-schema.ts';
import { isInhibitSource, type InhibitRule } from '../inhibit.ts';
import type { Alert } from '../model.ts';
import type { Routing } from '../routing.ts';
import { flushJobId, type PipelineKeys } from './keys.ts';
import type { PipelineScripts } from './scripts.ts';
import type { FlushJob, IngestJob } from './types.ts';

export interface IngestDeps {
  keys: PipelineKeys;
  scripts: PipelineScripts;
  routing: Routing;
  inhibitRules: readonly InhibitRule[];
  flapping: AlertsConfig['flapping'];
  flushQueue: Queue<FlushJob>;
  /** The clock (epoch ms); `Date.now` by default. */
  now?: () => number;
}

/** Every alert of the job's deliveries with the acceptance time of its delivery. */
function flatten(data: IngestJob): { alerts: Alert[]; acceptedAt: number[] } {
  const deliveries = 'deliveries' in data ? data.deliveries : [data];
  const alerts: Alert[] = [];
  const acceptedAt: number[] = [];
  for (const delivery of deliveries) {
    for (const alert of delivery.alerts) {
      alerts.push(alert);
      acceptedAt.push(delivery.acceptedAt);
    }
  }
  return { alerts, acceptedAt };
}

export function createIngestProcessor(d: IngestDeps) {
  const flipKeep = Math.max(2, d.flapping.threshold + 1);
  const clock = d.now ?? Date.now;
  return async function processIngest(data: IngestJob): Promise<{ alerts: number; groups: number }> {
    const now = clock();
    const entries: Array<Array<string | number>> = [];
    const waitByGroup = new Map<string, number>();
    const { alerts, acceptedAt } = flatten(data);
    for (const [k, alert] of alerts.entries()) {
      const resolved = alert.status === 'resolved' || (alert.endsAt !== undefined && Date.parse(alert.endsAt) <= now);
      const st = resolved ? 'r' : 'f';
      const payload = JSON.stringify({ t: acceptedAt[k], a: alert });
      const source = d.inhibitRules.length > 0 && isInhibitSource(d.inhibitRules, alert.labels);
      const inh = source ? (resolved ? '2' : '1') : '0';
      const labels = inh === '1' ? JSON.stringify({ l: alert.labels, e: alert.endsAt ? Date.parse(alert.endsAt) || 0 : 0 }) : '';
      for (const g of d.routing.assign(alert)) {
        // Alertmanager flushes a group that has not flushed yet at once when an alert joins it that
        // has been firing for longer than group_wait (the script applies it to existing groups too).
        const started = Date.parse(alert.startsAt);
        const wait = Number.isFinite(started) && started + g.route.groupWaitMs < now ? 0 : g.route.groupWaitMs;
        waitByGroup.set(g.groupKey, Math.min(wait, waitByGroup.get(g.groupKey) ?? Infinity));
        entries.push([
          g.groupKey,
          alert.fingerprint,
          st,
          payload,
          g.route.receiver,
          g.route.id,
          JSON.stringify(g.groupLabels),
          g.owner ?? '',
          0,
          inh,
          labels,
        ]);
      }
    }
    if (entries.length === 0) return { alerts: 0, groups: 0 };
    const args: Array<string | number> = [d.keys.prefix, now, d.flapping.window, flipKeep, entries.length];
    for (const e of entries) {
      e[8] = waitByGroup.get(e[0] as string) ?? 0;
      for (const v of e) args.push(v);
    }
    const out = await d.scripts.ingest(d.keys.groups, args);
    const jobs: Array<{ name: string; data: FlushJob; opts: { jobId: string; delay: number } }> = [];
    for (let i = 0; i + 2 < out.length; i += 3) {
      const gk = out[i]!;
      const gen = Number(out[i + 1]);
      const next = Number(out[i + 2]);
      jobs.push({ name: 'flush', data: { gk, gen }, opts: { jobId: flushJobId(gk, gen), delay: Math.max(0, next - now) } });
    }
    if (jobs.length > 0) {
      // One job (the usual case: a delivery touching one group) goes in by one script call;
      // `addBulk` wraps even one job in a transaction, which costs a pipeline and MULTI/EXEC.
      if (jobs.length === 1) await d.flushQueue.add(jobs[0]!.name, jobs[0]!.data, jobs[0]!.opts);
      else await d.flushQueue.addBulk(jobs);
      await d.scripts.scheduled(d.keys.groups, [d.keys.prefix, ...jobs.flatMap((j) => [j.data.gk, String(j.data.gen)])]);
    }
    return { alerts: alerts.length, groups: jobs.length };
  };
}
