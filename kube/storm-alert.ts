/**
 * The alerts of a NotReady storm: `KubeNodeNotReadyStorm` (the nodes, the zones and how many
 * nodes each lost, whether evictions are imminent, slowed or halted, the runbook), updated in
 * place as nodes join or recover, and `KubeNodeNotReadyStormSummary`, sent once the storm is
 * over, with what moved. Labels: `alertname`, `cluster`, `severity`, `storm` (the storm id);
 * annotations are listed on each builder so other notices can refer to a storm.
 */
import type { Alert } from '../alerts/model.ts';
import { formatDuration, kubeAlert } from './alerts.ts';
import type { StormOptions, StormState, ZoneState } from './storm.ts';
import type { StormTally } from './storm-ledger.ts';

/** The knowledge-base article every storm notice points to. */
export const STORM_RUNBOOK = 'node-notready-mass-eviction';

/** What the node controller does with evictions, given the zones' states (as kube-controller-manager decides it). */
export type EvictionOutlook = 'imminent' | 'slowed' | 'halted' | 'started';

/** Zone disruption as the node lifecycle controller computes it. */
export function zoneDisruption(z: ZoneState, threshold: number): 'normal' | 'partial' | 'full' {
  if (z.total > 0 && z.down === z.total) return 'full';
  if (z.down > 2 && z.down / Math.max(1, z.total) >= threshold) return 'partial';
  return 'normal';
}

export function evictionOutlook(s: StormState, opts: StormOptions, now: number): EvictionOutlook {
  const states = s.zones.map((z) => zoneDisruption(z, opts.unhealthyZoneThreshold));
  if (states.length > 0 && states.every((x) => x === 'full')) return 'halted';
  if (now - s.since >= opts.evictionGraceMs) return 'started';
  return states.some((x) => x === 'partial') ? 'slowed' : 'imminent';
}

const outlookText = (o: EvictionOutlook, inMs: number): string =>
  ({
    imminent: `pod evictions are imminent: the eviction grace runs out in ${formatDuration(inMs)}`,
    slowed: `pod evictions are imminent but slowed (partially disrupted zones): the grace runs out in ${formatDuration(inMs)}`,
    halted: 'every zone is fully disrupted, so the node controller halts evictions until a zone recovers',
    started: 'the eviction grace has run out: the taint manager is evicting pods from these nodes',
  })[o];

/** `node-01, node-02, … and 12 more`. */
export function nodeList(nodes: Iterable<string>, max: number): string {
  const all = [...nodes].sort();
  const shown = all.slice(0, max).join(', ');
  return all.length > max ? `${shown} and ${all.length - max} more` : shown;
}

export function zoneList(zones: ZoneState[]): string {
  return zones
    .filter((z) => z.down > 0)
    .map((z) => `${z.zone || '(no zone)'} ${z.down}/${z.total}`)
    .join(', ');
}

export interface StormAlertInput {
  cluster: string;
  id: string;
  since: number;
  state: StormState;
  opts: StormOptions;
  podsOnNodes: number;
  status: 'firing' | 'resolved';
  now: number;
}

/**
 * `KubeNodeNotReadyStorm`. Annotations: `nodes` (the list, capped), `nodes_not_ready`,
 * `nodes_total`, `zones` (`zone down/total, …`), `pods_on_nodes`, `evictions`
 * (`imminent|slowed|halted|started`), `evictions_at` (ISO time the grace runs out), `runbook_id`.
 */
export function stormAlert(i: StormAlertInput): Alert {
  const s = i.state;
  const firing = i.status === 'firing';
  const outlook = evictionOutlook(s, i.opts, i.now);
  const evictAt = i.since + i.opts.evictionGraceMs;
  const nodes = nodeList(s.notReady, i.opts.listNodes);
  const zones = zoneList(s.zones);
  return kubeAlert({
    alertname: 'KubeNodeNotReadyStorm',
    cluster: i.cluster,
    severity: 'critical',
    status: i.status,
    labels: { storm: i.id },
    summary: firing
      ? `${s.notReady.size} of ${s.total} nodes went NotReady together (${zones || 'no zone labels'}): ${outlookText(outlook, evictAt - i.now)}`
      : `NotReady storm over: ${s.notReady.size} of ${s.total} nodes still NotReady`,
    description: firing
      ? [
          `NotReady: ${nodes}.`,
          `Zones (NotReady/total): ${zones || 'none labelled'}.`,
          `${s.notReady.size} of ${s.total} nodes (${i.podsOnNodes} pods) stopped reporting Ready at about the same time, which usually means the control plane lost the network to them rather than that they all failed.`,
          `${outlookText(outlook, evictAt - i.now)}.`,
          'Check the network between the control plane and the nodes before anything else. Per-node NotReady alerts and per-pod evictions/migrations from these nodes are held back while the storm lasts.',
          `Runbook: kb show ${STORM_RUNBOOK}`,
        ].join('\n')
      : `The storm lasted ${formatDuration(i.now - i.since)}. Nodes still NotReady are reported one by one now.`,
    annotations: {
      nodes,
      nodes_not_ready: String(s.notReady.size),
      nodes_total: String(s.total),
      zones,
      pods_on_nodes: String(i.podsOnNodes),
      evictions: outlook,
      evictions_at: new Date(evictAt).toISOString(),
      runbook_id: STORM_RUNBOOK,
    },
    startsAt: i.since,
    ...(firing ? {} : { endsAt: i.now }),
  });
}

/**
 * `KubeNodeNotReadyStormSummary`, one per storm, an event that resolves after `ttlMs`.
 * Annotations: `nodes`, `pods_evicted`, `pods_rescheduled`, `pods_pending`, `fixed_ip_kept`,
 * `ip_changed`, `lasted_seconds`, `runbook_id`.
 */
export function stormSummaryAlert(i: {
  cluster: string;
  id: string;
  since: number;
  now: number;
  tally: StormTally;
  pending: number;
  listNodes: number;
  ttlMs: number;
}): Alert {
  const t = i.tally;
  const nodes = nodeList(t.nodes, i.listNodes);
  const lines = [
    `The NotReady storm ${i.id} lasted ${formatDuration(i.now - i.since)} and touched ${t.nodes.length} node(s): ${nodes || 'none'}.`,
    `Pods evicted: ${t.evicted}. Rescheduled and Ready elsewhere: ${t.rescheduled}. Still Pending: ${i.pending}.`,
    `Pods that moved and kept their IP: ${t.ipKept}; pods whose IP changed: ${t.ipChanged}.`,
    t.moves.length ? `Moves: ${t.moves.join('; ')}` : '',
    `Runbook: kb show ${STORM_RUNBOOK}`,
  ];
  return kubeAlert({
    alertname: 'KubeNodeNotReadyStormSummary',
    cluster: i.cluster,
    severity: 'warning',
    labels: { storm: i.id },
    summary: `After the NotReady storm: ${t.evicted} pod(s) evicted, ${t.rescheduled} rescheduled, ${i.pending} still Pending, IPs kept ${t.ipKept} / changed ${t.ipChanged}`,
    description: lines.filter(Boolean).join('\n'),
    annotations: {
      nodes,
      pods_evicted: String(t.evicted),
      pods_rescheduled: String(t.rescheduled),
      pods_pending: String(i.pending),
      fixed_ip_kept: String(t.ipKept),
      ip_changed: String(t.ipChanged),
      lasted_seconds: String(Math.round((i.now - i.since) / 1000)),
      runbook_id: STORM_RUNBOOK,
    },
    startsAt: i.now,
    endsAt: i.now + i.ttlMs,
  });
}
