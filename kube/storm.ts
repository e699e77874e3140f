/**
 * Detects a NotReady storm from the cache alone (so every replica and every restart agrees):
 * enough nodes (at least `minNodes` and `minShare` of all) whose Ready condition left `True`
 * within one `windowMs` window. This is what a control-plane network split looks like: the node
 * controller is about to taint them all and the taint manager to evict their pods. The storm
 * lasts as long as those nodes stay NotReady; its id is the time the first of them went down.
 */
import type { KubeCache } from './cache.ts';
import type { NodeRecord } from './records.ts';

export interface StormOptions {
  /** Share of all nodes (0–1) that must go NotReady together (default 0.3). */
  minShare: number;
  /** And at least this many nodes (default 3). */
  minNodes: number;
  /** How close together their transitions must be (default 2 min). */
  windowMs: number;
  /** How long a node's NotReady is held before it is reported alone (default 45 s). */
  settleMs: number;
  /** The cluster's eviction grace, for "evictions in …" (default 300 s). */
  evictionGraceMs: number;
  /** Nodes named in the storm alert before the rest are a count (default 20). */
  listNodes: number;
  /** NotReady share of a zone above which the node controller slows its evictions (default 0.55). */
  unhealthyZoneThreshold: number;
}

/** NotReady nodes of one zone. */
export interface ZoneState {
  zone: string;
  down: number;
  total: number;
}

export interface StormState {
  active: boolean;
  /** Stable while the storm lasts: `storm-<epoch seconds of the first transition>`. */
  id: string;
  since: number;
  /** Nodes currently NotReady/Unknown. */
  notReady: Set<string>;
  total: number;
  /** Per zone (`topology.kubernetes.io/zone`, '' when unlabelled), sorted by name. */
  zones: ZoneState[];
}

export const defaultStormOptions: StormOptions = {
  minShare: 0.3,
  minNodes: 3,
  windowMs: 120_000,
  settleMs: 45_000,
  evictionGraceMs: 300_000,
  listNodes: 20,
  unhealthyZoneThreshold: 0.55,
};

/** The zone label of a node ('' when it has none). */
export function zoneOf(n: NodeRecord): string {
  return n.labels['topology.kubernetes.io/zone'] ?? n.labels['failure-domain.beta.kubernetes.io/zone'] ?? '';
}

/** Ready condition status of a node: True, False, Unknown, or '' when it reports none. */
export function readyStatus(n: NodeRecord): string {
  return n.conditions.find((c) => c.type === 'Ready')?.status ?? '';
}

export function detectStorm(nodes: Iterable<NodeRecord>, opts: Pick<StormOptions, 'minShare' | 'minNodes' | 'windowMs'>): StormState {
  const down: Array<{ name: string; at: number }> = [];
  const zoneMap = new Map<string, ZoneState>();
  let total = 0;
  for (const n of nodes) {
    total++;
    const zone = zoneOf(n);
    const z = zoneMap.get(zone) ?? { zone, down: 0, total: 0 };
    zoneMap.set(zone, z);
    z.total++;
    const ready = n.conditions.find((c) => c.type === 'Ready');
    if (ready && ready.status !== 'True') {
      down.push({ name: n.metadata.name, at: ready.lastTransition });
      z.down++;
    }
  }
  const notReady = new Set(down.map((d) => d.name));
  const zones = [...zoneMap.values()].sort((a, b) => a.zone.localeCompare(b.zone));
  const need = Math.max(opts.minNodes, Math.ceil(opts.minShare * total));
  const idle: StormState = { active: false, id: '', since: 0, notReady, total, zones };
  if (down.length < need) return idle;
  down.sort((a, b) => a.at - b.at);
  let best = 0;
  let bestStart = 0;
  for (let lo = 0, hi = 0; hi < down.length; hi++) {
    while ((down[hi]?.at ?? 0) - (down[lo]?.at ?? 0) > opts.windowMs) lo++;
    if (hi - lo + 1 > best) {
      best = hi - lo + 1;
      bestStart = down[lo]?.at ?? 0;
    }
  }
  if (best < need) return idle;
  return { active: true, id: `storm-${Math.floor(bestStart / 1000)}`, since: bestStart, notReady, total, zones };
}

/** `detectStorm` memoised on the cache's node generation. */
export function createStormView(cache: KubeCache, opts: StormOptions): () => StormState {
  let gen = -1;
  let state: StormState | undefined;
  return () => {
    if (!state || gen !== cache.nodeGeneration) {
      gen = cache.nodeGeneration;
      state = detectStorm(cache.nodes(), opts);
    }
    return state;
  };
}
