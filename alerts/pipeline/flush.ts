/**
 * Flush worker. Input: a `FlushJob` (group, generation). Reads the group's alerts, drops the
 * silenced and inhibited ones, holds back resolutions of flapping alerts, diffs against the
 * notification log (Alertmanager's dedup stage) and, when the receiver must hear about it,
 * enqueues one notify job per destination. Then commits atomically (notification log, incident,
 * removal of unmodified resolved alerts, next generation) and schedules the next flush after
 * group_interval. Idempotent: a stale generation is skipped; a re-run of the same generation
 * builds the same notification id and job ids, and the commit accepts only one of them.
 */
import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../core/logger.ts';
import type { Metrics } from '../../core/metrics.ts';
import type { AlertsConfig } from '../config-schema.ts';
import { inhibitedBy, type InhibitRule } from '../inhibit.ts';
import type { KnowledgeLinks } from '../knowledge.ts';
import type { Alert } from '../model.ts';
import type { KnowledgeLink, Notification } from '../notifiers/types.ts';
import { routeDefaults, type ResolvedRoute, type Routing } from '../routing.ts';
import { silencedBy, silenceState, type Silence } from '../silences.ts';
import { isFlapping, needsUpdate, type NflogEntry } from './dedup.ts';
import { destinationsFor } from './destinations.ts';
import { flushJobId, notifyJobId, type PipelineKeys } from './keys.ts';
import type { PipelineScripts } from './scripts.ts';
import type { DecisionEvent, FlushJob, NotifyJob } from './types.ts';

export interface FlushDeps {
  config: AlertsConfig;
  redis: Redis;
  keys: PipelineKeys;
  scripts: PipelineScripts;
  routing: Routing;
  inhibitRules: readonly InhibitRule[];
  knowledge: KnowledgeLinks;
  flushQueue: Queue<FlushJob>;
  notifyQueue: Queue<NotifyJob>;
  metrics: Metrics;
  logger: Logger;
  onDecision?: (e: DecisionEvent) => void;
}

interface Held {
  alert: Alert;
  acceptedAt: number;
  flapping: boolean;
}

const severityRank = { critical: 0, warning: 1, info: 2 } as const;
const byImportance = (a: Held, b: Held) =>
  severityRank[a.alert.severity] - severityRank[b.alert.severity] || b.alert.startsAt.localeCompare(a.alert.startsAt);

/** The short ref users type (`ack 3fa9c2`), derived from the incident id. */
export const refOf = (incidentId: string) => createHash('sha256').update(incidentId).digest('hex').slice(0, 6);

export function createFlushProcessor(d: FlushDeps) {
  const routes = new Map<string, ResolvedRoute>();
  const index = (r: ResolvedRoute) => {
    routes.set(r.id, r);
    r.routes.forEach(index);
  };
  index(d.routing.root);
  const receivers = new Map(d.config.receivers.map((r) => [r.name, r]));
  const { topN } = d.config.storm;

  const scheduleFlush = async (gk: string, gen: number, delay: number) => {
    await d.flushQueue.add('flush', { gk, gen }, { jobId: flushJobId(gk, gen), delay: Math.max(0, delay) });
    await d.scripts.scheduled(d.keys.groups, [d.keys.prefix, gk, String(gen)]);
  };

  return async function processFlush({ gk, gen }: FlushJob): Promise<string> {
    const now = Date.now();
    const k = d.keys;
    // One round trip reads the group, its notification log, the silences and (with inhibit
    // rules) the inhibiting alerts.
    const tx = d.redis
      .multi()
      .hgetall(k.groupMeta(gk))
      .hgetall(k.groupAlerts(gk))
      .hgetall(k.groupState(gk))
      .get(k.nflog(gk))
      .hvals(k.silences);
    if (d.inhibitRules.length > 0) tx.hgetall(k.inhibitSources);
    const res = await tx.exec();
    if (!res) throw new Error('flush read was aborted');
    for (const [err] of res) if (err) throw err;
    const meta = res[0]![1] as Record<string, string>;
    const rawAlerts = res[1]![1] as Record<string, string>;
    const rawState = res[2]![1] as Record<string, string>;
    const nflogRaw = res[3]![1] as string | null;
    const rawSilences = res[4]![1] as string[];
    const rawSources = (res[5]?.[1] ?? {}) as Record<string, string>;
    if (!meta.gen) return 'gone';
    const current = Number(meta.gen);
    if (current !== gen) {
      if (current > gen) await scheduleFlush(gk, current, Number(meta.next) - now);
      return 'stale';
    }
    const route = routes.get(meta.route ?? '');
    const interval = route?.groupIntervalMs ?? routeDefaults.group_interval;
    const repeat = route?.repeatIntervalMs ?? routeDefaults.repeat_interval;
    const receiver = receivers.get(meta.receiver ?? '');
    const sendResolved = receiver?.send_resolved ?? true;

    const silences = rawSilences.map((v) => JSON.parse(v) as Silence).filter((s) => silenceState(s, now) === 'active');
    const sources = new Map<string, Record<string, string>>();
    for (const [fp, raw] of Object.entries(rawSources)) {
      const { l, e } = JSON.parse(raw) as { l: Record<string, string>; e: number };
      // Only firing alerts inhibit: one whose end time passed no longer does.
      if (!e || e > now) sources.set(fp, l);
    }
    const firing: Held[] = [];
    const resolved: Held[] = [];
    const drop: string[] = [];
    for (const [fp, raw] of Object.entries(rawAlerts)) {
      const { t, a } = JSON.parse(raw) as { t: number; a: Alert };
      const [ver = '0', st = 'f', flipText = ''] = (rawState[fp] ?? '').split('|');
      const isResolved = st === 'r' || (a.endsAt !== undefined && Date.parse(a.endsAt) <= now);
      const flips = flipText ? flipText.split(',').map(Number) : [];
      const flapping = isFlapping(flips, now, d.config.flapping.threshold, d.config.flapping.window);
      if (isResolved && !flapping) drop.push(fp, ver);
      if (silencedBy(silences, a.labels) || inhibitedBy(d.inhibitRules, fp, a.labels, sources)) continue;
      if (isResolved && !flapping) resolved.push({ alert: { ...a, status: 'resolved' }, acceptedAt: t, flapping });
      else firing.push({ alert: { ...a, status: 'firing' }, acceptedAt: t, flapping });
    }
    const entry = nflogRaw ? (JSON.parse(nflogRaw) as NflogEntry) : undefined;
    const decision = needsUpdate({
      entry,
      firing: new Set(firing.map((h) => h.alert.fingerprint)),
      resolved: new Set(resolved.map((h) => h.alert.fingerprint)),
      sendResolved,
      repeatIntervalMs: repeat,
      now,
      ackedBy: meta.ackedBy,
    });
    const since = entry?.at ?? 0;
    let acceptedAt: number | undefined;
    for (const h of [...firing, ...resolved])
      if (h.acceptedAt > since && (acceptedAt === undefined || h.acceptedAt < acceptedAt)) acceptedAt = h.acceptedAt;
    d.metrics.dedupDecisions.inc({ receiver: meta.receiver ?? '', reason: decision.reason });
    if (acceptedAt !== undefined) d.metrics.alertDecisionSeconds.observe(Math.max(0, now - acceptedAt) / 1000);
    d.onDecision?.({ gk, receiver: meta.receiver ?? '', notify: decision.notify, reason: decision.reason, acceptedAt, decidedAt: now });

    let nflog = '';
    let op = '';
    let incidentId = '';
    let ref = '';
    let fields: Record<string, string | number> = {};
    if (decision.notify) {
      nflog = JSON.stringify({
        firing: firing.map((h) => h.alert.fingerprint),
        resolved: resolved.map((h) => h.alert.fingerprint),
        at: now,
        ...(meta.ackedBy ? { ackedBy: meta.ackedBy } : {}),
      } satisfies NflogEntry);
      incidentId = meta.incident || (firing.length > 0 ? `${gk}.${gen}` : '');
      if (incidentId) {
        ref = meta.ref || refOf(incidentId);
        op = !meta.incident ? 'open' : firing.length === 0 ? 'close' : 'update';
        fields = {
          receiver: meta.receiver ?? '',
          labels: meta.labels ?? '{}',
          firing: firing.length,
          resolved: resolved.length,
          updatedAt: now,
          seq: gen,
        };
        if (firing.length > 0 || sendResolved) {
          const notification = await buildNotification({ gk, gen, incidentId, ref, meta, firing, resolved, sendResolved, now, acceptedAt });
          fields.last = JSON.stringify(notification);
          const destinations = receiver ? destinationsFor(receiver, meta.owner || undefined, d.config.robots) : [];
          if (!receiver) d.logger.warn({ receiver: meta.receiver, gk }, 'receiver no longer configured; notification dropped');
          const jobs = destinations.map((destination) => ({
            name: destination.kind,
            data: { notification, destination },
            opts: { jobId: notifyJobId(notification.id, destination.key) },
          }));
          // A single destination (the usual case) skips the transaction `addBulk` wraps jobs in.
          if (jobs.length === 1) await d.notifyQueue.add(jobs[0]!.name, jobs[0]!.data, jobs[0]!.opts);
          else if (jobs.length > 1) await d.notifyQueue.addBulk(jobs);
        }
      }
    }
    const args: Array<string | number> = [
      k.prefix,
      gk,
      String(gen),
      now,
      interval,
      nflog,
      op,
      incidentId || '-',
      ref,
      JSON.stringify(fields),
      ...drop,
    ];
    const next = await d.scripts.commit(k.groups, args);
    if (next > 0) await scheduleFlush(gk, next, interval);
    return next === -1 ? 'stale' : decision.reason;
  };

  async function buildNotification(i: {
    gk: string;
    gen: number;
    incidentId: string;
    ref: string;
    meta: Record<string, string>;
    firing: Held[];
    resolved: Held[];
    sendResolved: boolean;
    now: number;
    acceptedAt?: number;
  }): Promise<Notification> {
    const firing = [...i.firing].sort(byImportance).slice(0, topN);
    const resolved = i.sendResolved ? [...i.resolved].sort(byImportance).slice(0, topN) : [];
    const knowledge: KnowledgeLink[] = [];
    const seen = new Set<string>();
    const sample = firing.length > 0 ? firing : resolved;
    for (const h of sample.slice(0, 5)) {
      try {
        for (const link of await d.knowledge.linksFor(h.alert)) {
          if (seen.has(link.url) || knowledge.length >= 5) continue;
          seen.add(link.url);
          knowledge.push(link);
        }
      } catch (err) {
        d.logger.warn({ err, gk: i.gk }, 'knowledge links failed');
      }
    }
    let lastResolution: Notification['lastResolution'];
    if (sample[0]) {
      try {
        lastResolution = await d.knowledge.lastResolution(sample[0].alert);
      } catch (err) {
        d.logger.warn({ err, gk: i.gk }, 'last resolution lookup failed');
      }
    }
    return {
      id: `${i.gk}.${i.gen}`,
      receiver: i.meta.receiver ?? '',
      groupKey: i.gk,
      incidentId: i.incidentId,
      ref: i.ref,
      seq: i.gen,
      groupLabels: JSON.parse(i.meta.labels ?? '{}') as Record<string, string>,
      status: i.firing.length > 0 ? 'firing' : 'resolved',
      firing: firing.map((h) => h.alert),
      resolved: resolved.map((h) => h.alert),
      counts: { firing: i.firing.length, resolved: i.sendResolved ? i.resolved.length : 0 },
      ...(i.meta.ackedBy ? { acked: { by: i.meta.ackedBy, at: new Date(Number(i.meta.ackedAt)).toISOString() } } : {}),
      ...(i.firing.some((h) => h.flapping) ? { flapping: true } : {}),
      ...(i.meta.owner ? { owner: i.meta.owner } : {}),
      knowledge,
      ...(lastResolution ? { lastResolution } : {}),
      decidedAt: new Date(i.now).toISOString(),
      ...(i.acceptedAt !== undefined ? { acceptedAt: new Date(i.acceptedAt).toISOString() } : {}),
    };
  }
}
