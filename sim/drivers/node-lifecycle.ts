/**
 * Node failure as the node lifecycle controller and the taint-based eviction manager handle it:
 * `nodeNotReady` flips the Ready condition (Unknown for an unreachable kubelet, False for a
 * not-ready one), adds the `node.kubernetes.io/unreachable` (or `not-ready`) NoSchedule taint,
 * marks its pods not Ready and records `NodeNotReady` on the node and its pods. The NoExecute
 * taint follows through the zone-aware rate limiter (`zone-tainter.ts`: slowed in a partially
 * disrupted zone, stopped when every zone is fully disrupted); from then on, after the grace
 * period (a pod's own tolerationSeconds for the taint, else the cluster default), each pod that
 * does not tolerate it is evicted: `TaintManagerEviction` event, DisruptionTarget condition,
 * delete. Their controllers then recreate them on other nodes. `nodeReady` reverts and cancels
 * evictions. With `leases`, nodes heartbeat through Leases and a `partition` makes them NotReady
 * the way a control-plane network split does (`node-leases.ts`).
 */
import type { Clock } from '../clock.ts';
import type { Store } from '../store.ts';
import type { Condition, Node, Pod, Taint } from '../types.ts';
import type { RecordEvent } from './events.ts';
import type { PodIndexes } from './indexes.ts';
import { healthyNodeConditions } from './node-conditions.ts';
import { createNodeLeases } from './node-leases.ts';
import type { NodeLeaseOptions, NodeLeases } from './node-leases.ts';
import { tolerates } from './scheduler.ts';
import { createZoneTainter } from './zone-tainter.ts';
import type { ZoneRateOptions, ZoneState } from './zone-tainter.ts';
import { markDisruptionTarget } from './pod-template.ts';

export interface NodeNotReadyOptions {
  /** `unreachable` (kubelet stopped posting status; default) or `not-ready` (kubelet reports NotReady). */
  mode?: 'unreachable' | 'not-ready';
  /** Eviction grace for pods without their own tolerationSeconds (default: the cluster's). */
  graceMs?: number;
}

/** How the simulated node lifecycle controller behaves; defaults keep a small cluster snappy. */
export interface NodeLifecycleOptions extends ZoneRateOptions {
  /** Eviction grace for pods without tolerationSeconds (Kubernetes: 300 000). */
  podEvictionGraceMs?: number;
  /** Node heartbeats through Leases (off by default). */
  leases?: NodeLeaseOptions;
}

export interface NodeLifecycle {
  nodeNotReady(name: string, options?: NodeNotReadyOptions): Node;
  nodeReady(name: string): Node;
  /** Cuts these nodes off the control plane (needs `leases`): they go NotReady once their leases expire. */
  partition(nodes: string[]): void;
  /** Ends a partition (all nodes when none are named); returns the nodes let through. */
  heal(nodes?: string[]): string[];
  /** Disruption state per zone, as the controller sees it. */
  zoneStates(): Map<string, ZoneState>;
  close(): void;
}

const TAINT_KEYS = ['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready'];

export function createNodeLifecycle(
  store: Store,
  indexes: PodIndexes,
  record: RecordEvent,
  options: NodeLifecycleOptions,
  clock: Clock,
): NodeLifecycle {
  const defaultGraceMs = options.podEvictionGraceMs ?? 300_000;
  const timers = new Map<string, Set<NodeJS.Timeout>>();
  /** NotReady nodes waiting for their NoExecute taint: the taint key and the grace asked for. */
  const pendingTaint = new Map<string, { key: string; graceMs?: number }>();
  const tainter = createZoneTainter(store, clock, options, (name) => taintNoExecute(name));
  let leases: NodeLeases | undefined;

  function cancel(node: string): void {
    for (const t of timers.get(node) ?? []) clearTimeout(t);
    timers.delete(node);
    pendingTaint.delete(node);
    tainter.remove(node);
  }

  /** The NoExecute taint, once the rate limiter lets it through, and the eviction timers it starts. */
  function taintNoExecute(name: string): void {
    const pending = pendingTaint.get(name);
    pendingTaint.delete(name);
    if (!pending || !store.peek('nodes', undefined, name)) return;
    const noExecute: Taint = { key: pending.key, effect: 'NoExecute', timeAdded: clock.iso() };
    store.mutate('nodes', undefined, name, (o) => {
      const n = o as Node;
      n.spec = n.spec ?? {};
      n.spec.taints = [...(n.spec.taints ?? []).filter((t) => !(t.key === pending.key && t.effect === 'NoExecute')), noExecute];
    });
    const set = timers.get(name) ?? new Set<NodeJS.Timeout>();
    timers.set(name, set);
    for (const pod of indexes.podsOnNode(name)) {
      const toleration = tolerates(pod.spec.tolerations, noExecute);
      if (toleration && toleration.tolerationSeconds === undefined) continue;
      const grace = toleration ? toleration.tolerationSeconds! * 1000 : (pending.graceMs ?? defaultGraceMs);
      const ns = pod.metadata.namespace!;
      const podName = pod.metadata.name!;
      const uid = pod.metadata.uid!;
      const timer = setTimeout(() => {
        set.delete(timer);
        evict(name, noExecute, ns, podName, uid);
      }, grace);
      timer.unref();
      set.add(timer);
    }
  }

  function evict(nodeName: string, taint: Taint, namespace: string, podName: string, uid: string): void {
    const node = store.peek('nodes', undefined, nodeName) as Node | undefined;
    if (!node?.spec.taints?.some((t) => t.key === taint.key && t.effect === 'NoExecute')) return;
    const pod = store.peek('pods', namespace, podName) as Pod | undefined;
    if (!pod || pod.metadata.uid !== uid || pod.spec.nodeName !== nodeName) return;
    const marked = store.mutate(
      'pods',
      namespace,
      podName,
      (o) => {
        markDisruptionTarget(o as Pod, 'DeletionByTaintManager', 'Taint manager: deleting due to NoExecute taint', clock.iso());
      },
      'status',
    );
    record({
      involved: marked,
      reason: 'TaintManagerEviction',
      message: `Marking for deletion Pod ${namespace}/${podName}`,
      type: 'Normal',
      component: 'taint-eviction-controller',
    });
    store.delete('pods', namespace, podName);
  }

  const lifecycle: NodeLifecycle = {
    nodeNotReady(name, options = {}) {
      const mode = options.mode ?? 'unreachable';
      const ts = clock.iso();
      const key = mode === 'unreachable' ? TAINT_KEYS[0]! : TAINT_KEYS[1]!;
      const taints: Taint[] = [{ key, effect: 'NoSchedule', timeAdded: ts }];
      if (mode === 'unreachable') leases?.cut(name);
      store.mutate(
        'nodes',
        undefined,
        name,
        (o) => {
          const n = o as Node;
          n.status = n.status ?? {};
          n.status.conditions = (n.status.conditions ?? []).map((c): Condition => {
            if (mode === 'unreachable')
              return {
                ...c,
                status: 'Unknown',
                reason: 'NodeStatusUnknown',
                message: 'Kubelet stopped posting node status.',
                lastTransitionTime: ts,
              };
            if (c.type === 'Ready')
              return {
                ...c,
                status: 'False',
                reason: 'KubeletNotReady',
                message:
                  'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
                lastHeartbeatTime: ts,
                lastTransitionTime: ts,
              };
            return c;
          });
        },
        'status',
      );
      const node = store.mutate('nodes', undefined, name, (o) => {
        const n = o as Node;
        n.spec = n.spec ?? {};
        n.spec.taints = [...(n.spec.taints ?? []).filter((t) => !TAINT_KEYS.includes(t.key)), ...taints];
      }) as Node;
      record({
        involved: node,
        reason: 'NodeNotReady',
        message: `Node ${name} status is now: NodeNotReady`,
        type: 'Normal',
        component: 'node-controller',
      });
      for (const pod of indexes.podsOnNode(name)) {
        const marked = store.mutate(
          'pods',
          pod.metadata.namespace,
          pod.metadata.name!,
          (o) => {
            const p = o as Pod;
            for (const c of p.status?.conditions ?? []) {
              if (c.type === 'Ready' || c.type === 'ContainersReady') Object.assign(c, { status: 'False', lastTransitionTime: ts });
            }
          },
          'status',
        );
        record({ involved: marked, reason: 'NodeNotReady', message: 'Node is not ready', type: 'Warning', component: 'node-controller' });
      }
      pendingTaint.set(name, { key, ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}) });
      tainter.add(name);
      return node;
    },
    nodeReady(name) {
      cancel(name);
      leases?.uncut(name);
      const ts = clock.iso();
      store.mutate(
        'nodes',
        undefined,
        name,
        (o) => {
          const n = o as Node;
          n.status = { ...(n.status ?? {}), conditions: healthyNodeConditions(ts) };
        },
        'status',
      );
      const node = store.mutate('nodes', undefined, name, (o) => {
        const n = o as Node;
        n.spec = n.spec ?? {};
        const rest = (n.spec.taints ?? []).filter((t) => !TAINT_KEYS.includes(t.key));
        if (rest.length) n.spec.taints = rest;
        else delete n.spec.taints;
      }) as Node;
      for (const pod of indexes.podsOnNode(name)) {
        if (pod.status?.phase !== 'Running') continue;
        store.mutate(
          'pods',
          pod.metadata.namespace,
          pod.metadata.name!,
          (o) => {
            for (const c of (o as Pod).status?.conditions ?? []) {
              if ((c.type === 'Ready' || c.type === 'ContainersReady') && c.status !== 'True')
                Object.assign(c, { status: 'True', lastTransitionTime: ts });
            }
          },
          'status',
        );
      }
      record({
        involved: node,
        involvedUid: name,
        reason: 'NodeReady',
        message: `Node ${name} status is now: NodeReady`,
        type: 'Normal',
        component: 'kubelet',
        host: name,
      });
      return node;
    },
    partition(nodes) {
      if (!leases) throw new Error('partition needs node leases (nodeLifecycle.leases)');
      leases.partition(nodes);
    },
    heal(nodes) {
      return leases?.heal(nodes) ?? [];
    },
    zoneStates: () => tainter.states(),
    close() {
      for (const name of [...timers.keys(), ...pendingTaint.keys()]) cancel(name);
      tainter.close();
      leases?.close();
    },
  };
  if (options.leases) {
    leases = createNodeLeases(store, clock, options.leases, {
      nodeNotReady: (name) => lifecycle.nodeNotReady(name),
      nodeReady: (name) => lifecycle.nodeReady(name),
      unreachable: (name) =>
        !!(store.peek('nodes', undefined, name) as Node | undefined)?.spec?.taints?.some((t) => t.key === TAINT_KEYS[0]),
    });
  }
  return lifecycle;
}
