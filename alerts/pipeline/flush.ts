/**
 * Flush of one aggregation group, run by the flush scheduler when the group's flush is due. Reads
 * the group's alerts at its current generation, drops the silenced and inhibited ones, holds back
 * resolutions of flapping alerts, diffs against each destination's notification log
 * (Alertmanager's dedup stage) and records one delivery per destination that must hear about it
 * (`direct-delivery.ts`: sent by this process after the commit, or queued); the delivery writes
 * that destination's log entry only once it succeeded, so a delivery that failed is tried again
 * at the next group_interval. Then commits atomically (log entries of destinations told without a
 * send, incident, removal of resolved alerts every destination has been told about, next
 * generation and its due time after group_interval). Idempotent: a re-run of the same generation
 * builds the same notification id and delivery ids, and the commit accepts only one of them (a
 * generation moved on meanwhile is stale).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../core/logger.ts';
import type { Metrics } from '../../core/metrics.ts';
import type { AlertsConfig } from '../config-schema.ts';
import { inhibitedBy, type InhibitRule } from '../inhibit.ts';
import type { KnowledgeLinks } from '../knowledge.ts';
import type { Alert } from '../model.ts';
import { routeDefaults, type ResolvedRoute, type Routing } from '../routing.ts';
import { silencedBy, silenceState, type Silence } from '../silences.ts';
import { createNotificationBuilder, type Held } from './build-notification.ts';
import { isFlapping, needsUpdate, type NflogEntry } from './dedup.ts';
import { destinationsFor } from './destinations.ts';
import { NOTHING_RECORDED, type DirectDelivery, type RecordedDeliveries } from './direct-delivery.ts';
import type { PipelineKeys } from './keys.ts';
import type { ClaimAnswer, PipelineScripts } from './scripts.ts';
import type { DecisionEvent } from './types.ts';

export interface FlushDeps {
  config: AlertsConfig;
  redis: Redis;
  keys: PipelineKeys;
  scripts: PipelineScripts;
  routing: Routing;
  inhibitRules: readonly InhibitRule[];
  knowledge: KnowledgeLinks;
  /** Records and starts the deliveries a flush decides. */
  delivery: Pick<DirectDelivery, 'record'>;
  metrics: Metrics;
  logger: Logger;
  onDecision?: (e: DecisionEvent) => void;
  /** The clock (epoch ms); `Date.now` by default. */
  now?: () => number;
}

/** A hash as HGETALL answers it inside a script (a flat field, value, … list). */
function hash(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

/**
 * The group's next group_interval tick after a flush at `now` of the generation that was due at
 * `due`. Like Alertmanager's aggregation group, whose timer is reset to group_interval when it
 * fires, ticks keep their cadence from when they were due (a flush that ran late does not push
 * every later tick back) and a flush brought forward (an ack) leaves the tick that was due; ticks
 * missed altogether are skipped, not caught up.
 */
export function nextTick(due: number, interval: number, now: number): number {
  if (due > now) return due;
  return due + Math.max(1, Math.ceil((now + 1 - due) / interval)) * interval;
}

/** How long a reserved but not yet opened ref stays reserved (s); the commit that opens it keeps it. */
const REF_RESERVE_TTL_S = 7 * 86_400;
/** The commit's answer when the ref it was given belongs to another incident. */
const REF_TAKEN = -2;

/**
 * The short refs users type (`ack 3fa9c2d1`), in the order they are tried: 8-hex-digit slices of
 * the incident id's SHA-256, then 16-digit ones. The first one free is reserved with SET NX, so
 * two open incidents never share a ref.
 */
export function refCandidates(incidentId: string): string[] {
  const hex = createHash('sha256').update(incidentId).digest('hex');
  const out: string[] = [];
  for (let i = 0; i < hex.length; i += 8) out.push(hex.slice(i, i + 8));
  for (let i = 0; i < hex.length; i += 16) out.push(hex.slice(i, i + 16));
  return out;
}

export function createFlushProcessor(d: FlushDeps) {
  const clock = d.now ?? Date.now;
  const routes = new Map<string, ResolvedRoute>();
  const index = (r: ResolvedRoute) => {
    routes.set(r.id, r);
    r.routes.forEach(index);
  };
  index(d.routing.root);
  const receivers = new Map(d.config.receivers.map((r) => [r.name, r]));
  // A delivery in flight longer than every attempt could take is taken as lost (its job gone).
  const { attempts, timeout, maxBackoff } = d.config.notify;
  const inFlightMaxMs = attempts * (timeout + maxBackoff);
  const buildNotification = createNotificationBuilder({ knowledge: d.knowledge, logger: d.logger, topN: d.config.storm.topN });

  const reserveRef = async (incidentId: string): Promise<string> => {
    const ref = await d.scripts.reserveRef(d.keys.groups, [d.keys.prefix, incidentId, REF_RESERVE_TTL_S, ...refCandidates(incidentId)]);
    if (!ref) throw new Error(`no free ref for incident ${incidentId}`);
    return ref;
  };

  /** Flushes the group's current generation; answers the decision's reason, or why there was none. */
  return async function processFlush(gk: string): Promise<string> {
    const now = clock();
    const k = d.keys;
    // One script call reads the group, its notification log and flip history, the silences and
    // (with inhibit rules) the inhibiting alerts, at one point in time.
    const [meta, rawAlerts, rawState, rawLog, rawFlips, rawSilences, rawSources] = await d.scripts
      .flushRead(
        [k.groupMeta(gk), k.groupAlerts(gk), k.groupState(gk), k.nflog(gk), k.flips(gk), k.silences, k.inhibitSources],
        [d.inhibitRules.length > 0 ? 1 : 0],
      )
      .then(([m, a, st, log, fl, sil, src]) => [hash(m), hash(a), hash(st), hash(log), hash(fl), sil, hash(src)] as const);
    if (!meta.gen) return 'gone';
    if (meta.idle) return 'idle';
    const gen = Number(meta.gen);
    const route = routes.get(meta.route ?? '');
    const interval = route?.groupIntervalMs ?? routeDefaults.group_interval;
    const repeat = route?.repeatIntervalMs ?? routeDefaults.repeat_interval;
    const receiver = receivers.get(meta.receiver ?? '');
    const sendResolved = receiver?.send_resolved ?? true;
    const destinations = receiver ? destinationsFor(receiver, meta.owner || undefined, d.config.robots) : [];

    const silences = rawSilences.map((v) => JSON.parse(v) as Silence).filter((s) => silenceState(s, now) === 'active');
    const sources = new Map<string, Record<string, string>>();
    for (const [fp, raw] of Object.entries(rawSources)) {
      const { l, e } = JSON.parse(raw) as { l: Record<string, string>; e: number };
      // Only firing alerts inhibit: one whose end time passed no longer does.
      if (!e || e > now) sources.set(fp, l);
    }
    const logs = destinations.map((destination) => {
      const raw = rawLog[destination.key];
      const entry = raw ? (JSON.parse(raw) as NflogEntry) : undefined;
      return { entry, firing: new Set(entry?.firing), resolved: new Set(entry?.resolved) };
    });
    // A resolved alert every destination has been told about is gone, as Alertmanager deletes it
    // right after the notification that carried it succeeded.
    const toldResolved = (fp: string) => logs.length > 0 && logs.every((l) => l.resolved.has(fp) && !l.firing.has(fp));
    const firing: Held[] = [];
    const resolved: Held[] = [];
    /** Resolved alerts that may leave the group, with the version they were read at. */
    const settled: Array<[fp: string, ver: string]> = [];
    for (const [fp, raw] of Object.entries(rawAlerts)) {
      const { t, a } = JSON.parse(raw) as { t: number; a: Alert };
      const [ver = '0', st = 'f'] = (rawState[fp] ?? '').split('|');
      const isResolved = st === 'r' || (a.endsAt !== undefined && Date.parse(a.endsAt) <= now);
      const flipText = (rawFlips[fp] ?? '').slice(2);
      const flips = flipText ? flipText.split(',').map(Number) : [];
      const flapping = isFlapping(flips, now, d.config.flapping.threshold, d.config.flapping.window);
      if (isResolved && !flapping) {
        settled.push([fp, ver]);
        if (toldResolved(fp)) continue;
      }
      if (silencedBy(silences, a.labels) || inhibitedBy(d.inhibitRules, fp, a.labels, sources)) continue;
      if (isResolved && !flapping) resolved.push({ alert: { ...a, status: 'resolved' }, acceptedAt: t, flapping });
      else firing.push({ alert: { ...a, status: 'firing' }, acceptedAt: t, flapping });
    }
    const firingSet = new Set(firing.map((h) => h.alert.fingerprint));
    const resolvedSet = new Set(resolved.map((h) => h.alert.fingerprint));
    const decide = (entry: NflogEntry | undefined) =>
      needsUpdate({ entry, firing: firingSet, resolved: resolvedSet, sendResolved, repeatIntervalMs: repeat, now, ackedBy: meta.ackedBy });
    const perDest = destinations.map((destination, i) => {
      const { entry } = logs[i]!;
      // Like Alertmanager's aggregation group, which waits for its notify pipeline before the
      // next tick, a destination whose delivery is still in flight (retrying) is not decided again.
      const mark = rawLog[`>${destination.key}`];
      const inFlight = mark !== undefined && now - Number(mark.split('|')[1]) < inFlightMaxMs;
      const decision: ReturnType<typeof decide> = inFlight ? { notify: false, reason: 'in-flight' } : decide(entry);
      return { destination, entry, decision, inFlight };
    });
    const decision = perDest.find((x) => x.decision.notify)?.decision ?? perDest[0]?.decision ?? decide(undefined);
    let since = 0;
    for (const x of perDest) since = Math.max(since, x.entry?.at ?? 0);
    let acceptedAt: number | undefined;
    for (const h of [...firing, ...resolved])
      if (h.acceptedAt > since && (acceptedAt === undefined || h.acceptedAt < acceptedAt)) acceptedAt = h.acceptedAt;
    d.metrics.dedupDecisions.inc({ receiver: meta.receiver ?? '', reason: decision.reason });
    if (acceptedAt !== undefined) d.metrics.alertDecisionSeconds.observe(Math.max(0, now - acceptedAt) / 1000);

    const notified = perDest.filter((x) => x.decision.notify);
    const log: NflogEntry = {
      firing: [...firingSet],
      resolved: [...resolvedSet],
      at: now,
      ...(meta.ackedBy ? { ackedBy: meta.ackedBy } : {}),
      seq: gen,
    };
    const logText = JSON.stringify(log);
    d.onDecision?.({
      gk,
      receiver: meta.receiver ?? '',
      groupLabels: JSON.parse(meta.labels ?? '{}') as Record<string, string>,
      notify: decision.notify,
      reason: decision.reason,
      destinations: perDest.map((x) => ({ key: x.destination.key, notify: x.decision.notify, reason: x.decision.reason })),
      acceptedAt,
      decidedAt: now,
    });
    const incidentId = decision.notify ? meta.incident || (firing.length > 0 ? `${gk}.${gen}` : meta.lastInc || '') : '';
    const op = !incidentId ? '' : meta.incident ? (firing.length === 0 ? 'close' : 'update') : firing.length > 0 ? 'open' : '';
    const fields = incidentId
      ? {
          receiver: meta.receiver ?? '',
          labels: meta.labels ?? '{}',
          firing: firing.length,
          resolved: resolved.length,
          updatedAt: now,
          seq: gen,
        }
      : {};

    /** Builds the notification with the incident's `ref`, records its deliveries and commits: the next generation, -1 stale, -2 ref taken. */
    const commit = async (ref: string): Promise<number> => {
      /** Destinations told without a send (nothing to say to them): their entries go in with the commit. */
      let direct = notified;
      let sent = false;
      /** The notification's JSON: the incident's `last`, and the front of each delivery the commit records. */
      let notificationText = '';
      let recorded: RecordedDeliveries | undefined;
      if (incidentId && (firing.length > 0 || sendResolved)) {
        const notification = await buildNotification({ gk, gen, incidentId, ref, meta, firing, resolved, sendResolved, now, acceptedAt });
        notificationText = JSON.stringify(notification);
        if (!receiver) d.logger.warn({ receiver: meta.receiver, gk }, 'receiver no longer configured; notification dropped');
        const jobs = notified.map(({ destination }) => ({ notification, destination, log }));
        if (jobs.length > 0) recorded = await d.delivery.record(gk, gen, now, jobs);
        direct = [];
        sent = jobs.length > 0;
      }
      // Like Alertmanager, a resolved alert leaves the group once its resolution is out: unless a
      // destination that is sent to now, or still in flight, was last told it is firing. While such
      // a send is pending it stays, so a delivery that fails is repeated at the next group_interval.
      const toldFiring = new Set<string>();
      for (const x of perDest) if (x.inFlight || (sent && x.decision.notify)) for (const fp of x.entry?.firing ?? []) toldFiring.add(fp);
      const drop = settled.filter(([fp]) => !toldFiring.has(fp)).flat();
      const args: Array<string | number> = [
        k.prefix,
        gk,
        String(gen),
        now,
        interval,
        direct.length > 0 ? JSON.stringify(direct.map((x) => [x.destination.key, gen, logText])) : '',
        op,
        incidentId || '-',
        ref,
        JSON.stringify(fields),
        d.config.flush.keepEmptyGroup,
        nextTick(Number(meta.next) || now, interval, now),
        notificationText,
        ...(recorded?.commitArgs ?? NOTHING_RECORDED),
        ...drop,
      ];
      let outcome = -1;
      let claims: Array<0 | ClaimAnswer> | undefined;
      try {
        [outcome, ...claims] = await d.scripts.commit(k.groupMeta(gk), args);
      } finally {
        recorded?.committed(outcome >= 0 ? claims : undefined);
      }
      return outcome;
    };

    // An incident that opens takes its first ref candidate, which the commit checks is free (or
    // already this incident's); only when it is taken is a free one reserved (`reserve-ref.lua`).
    let next = await commit(
      !incidentId ? '' : op === 'open' ? refCandidates(incidentId)[0]! : meta.incident ? meta.ref || '' : meta.lastRef || '',
    );
    if (next === REF_TAKEN) next = await commit(await reserveRef(incidentId));
    return next < 0 ? 'stale' : decision.reason;
  };
}
