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
}

export interface StormState {
  active: boolean;
  /** Stable while the storm lasts: `storm-<epoch seconds of the first transition>`. */
  id: string;
  since: number;
  /** Nodes currently NotReady/Unknown. */
  notReady: Set<string>;
  total: number;
}

export const defaultStormOptions: StormOptions = { minShare: 0.3, minNodes: 3, windowMs: 120_000 };

/** Ready condition status of a node: True, False, Unknown, or '' when it reports none. */
export function readyStatus(n: NodeRecord): string {
  return n.conditions.find((c) => c.type === 'Ready')?.status ?? '';
}

export function detectStorm(nodes: Iterable<NodeRecord>, opts: StormOptions): StormState {
  const down: Array<{ name: string; at: number }> = [];
  let total = 0;
  for (const n of nodes) {
    total++;
    const ready = n.conditions.find((c) => c.type === 'Ready');
    if (ready && ready.status !== 'True') down.push({ name: n.metadata.name, at: ready.lastTransition });
  }
  const notReady = new Set(down.map((d) => d.name));
  const need = Math.max(opts.minNodes, Math.ceil(opts.minShare * total));
  const idle: StormState = { active: false, id: '', since: 0, notReady, total };
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
  return { active: true, id: `storm-${Math.floor(bestStart / 1000)}`, since: bestStart, notReady, total };
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
