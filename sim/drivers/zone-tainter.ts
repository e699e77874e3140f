/**
 * The node lifecycle controller's zone-aware eviction rate limiting. NotReady nodes wait in a
 * queue per zone (`topology.kubernetes.io/zone`) before they get their NoExecute taint (which
 * starts the taint manager's eviction clock), and each zone drains its queue at a rate that
 * depends on its state, as kube-controller-manager decides it:
 *  - normal (fewer than 3 nodes, or less than `unhealthyZoneThreshold` of the zone, NotReady):
 *    `evictionRate` nodes per second;
 *  - partial disruption: `secondaryEvictionRate` in clusters larger than `largeClusterSize`
 *    nodes, else nothing at all;
 *  - full disruption of a zone: the normal rate, unless every zone is fully disrupted, in which
 *    case the controller assumes it lost the network itself and taints nothing.
 */
import type { Clock } from '../clock.ts';
import type { Store } from '../store.ts';
import type { Node } from '../types.ts';

export interface ZoneRateOptions {
  /** Nodes per second per zone tainted in a healthy zone (default: no limit; Kubernetes: 0.1). */
  evictionRate?: number;
  /** Nodes per second per zone in a partially disrupted zone of a large cluster (default 0.01). */
  secondaryEvictionRate?: number;
  /** Clusters up to this many nodes stop evicting in a partially disrupted zone (default 50). */
  largeClusterSize?: number;
  /** NotReady share above which a zone is partially disrupted (default 0.55). */
  unhealthyZoneThreshold?: number;
}

export type ZoneState = 'normal' | 'partial' | 'full';

export interface ZoneTainter {
  /** Queues a NotReady node for its NoExecute taint. */
  add(node: string): void;
  /** Drops a node from the queues (it is Ready again, or gone). */
  remove(node: string): void;
  /** The disruption state of every zone right now. */
  states(): Map<string, ZoneState>;
  close(): void;
}

const RECHECK_MS = 500;

export const zoneOfNode = (n: Node | undefined): string => n?.metadata.labels?.['topology.kubernetes.io/zone'] ?? '';

const notReady = (n: Node): boolean => n.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True';

export function createZoneTainter(store: Store, clock: Clock, opts: ZoneRateOptions, taint: (node: string) => void): ZoneTainter {
  const rate = opts.evictionRate ?? Infinity;
  const secondary = opts.secondaryEvictionRate ?? 0.01;
  const large = opts.largeClusterSize ?? 50;
  const threshold = opts.unhealthyZoneThreshold ?? 0.55;
  const queues = new Map<string, string[]>();
  const lastTaint = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  function states(): Map<string, ZoneState> {
    const count = new Map<string, { down: number; total: number }>();
    for (const obj of store.scan('nodes')) {
      const n = obj as Node;
      const z = zoneOfNode(n);
      const c = count.get(z) ?? { down: 0, total: 0 };
      c.total++;
      if (notReady(n)) c.down++;
      count.set(z, c);
    }
    const out = new Map<string, ZoneState>();
    for (const [z, c] of count) {
      out.set(z, c.down === c.total ? 'full' : c.down > 2 && c.down / c.total >= threshold ? 'partial' : 'normal');
    }
    return out;
  }

  function pump(): void {
    timer = undefined;
    if (closed) return;
    const zoneStates = states();
    const all = [...zoneStates.values()];
    const halted = all.length > 0 && all.every((s) => s === 'full');
    const size = all.length ? [...store.scan('nodes')].length : 0;
    let next = Infinity;
    for (const [zone, queue] of queues) {
      if (!queue.length) continue;
      if (halted) {
        next = Math.min(next, RECHECK_MS);
        continue;
      }
      const r = zoneStates.get(zone) === 'partial' ? (size > large ? secondary : 0) : rate;
      if (r <= 0) {
        next = Math.min(next, RECHECK_MS);
        continue;
      }
      while (queue.length) {
        const wait = r === Infinity ? 0 : (lastTaint.get(zone) ?? -Infinity) + 1000 / r - clock.now();
        if (wait > 0) {
          next = Math.min(next, wait);
          break;
        }
        lastTaint.set(zone, clock.now());
        taint(queue.shift()!);
      }
    }
    if (next < Infinity) schedule(next);
  }

  function schedule(ms: number): void {
    if (closed || timer) return;
    timer = setTimeout(pump, Math.max(0, ms));
    timer.unref();
  }

  return {
    add(node) {
      const zone = zoneOfNode(store.peek('nodes', undefined, node) as Node | undefined);
      const q = queues.get(zone) ?? [];
      if (!q.includes(node)) q.push(node);
      queues.set(zone, q);
      // Like the controller's monitor pass: nodes failing together are judged together.
      if (timer) clearTimeout(timer);
      timer = undefined;
      schedule(0);
    },
    remove(node) {
      for (const q of queues.values()) {
        const i = q.indexOf(node);
        if (i >= 0) q.splice(i, 1);
      }
    },
    states,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}
