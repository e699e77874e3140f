/**
 * A small scheduler: binds pending pods to Ready, schedulable nodes whose NoSchedule/NoExecute
 * taints they tolerate, whose labels match their nodeSelector and that have room for their
 * requests (cpu, memory, pod count); prefers the least allocated node and avoids the node a pod
 * of the same name last ran on. After binding, the kubelet starts the pod with an IP from IPAM.
 * Pods created already bound (`spec.nodeName` set, no status yet) are started by the kubelet as is.
 * Also preempts pods on request (`Preempted` event, then deletion).
 * Input: pod keys (`ns/name`) or `*` for "retry every pending pod". Idempotent: bound pods are skipped.
 */
import type { Clock } from '../clock.ts';
import type { Random } from '../random.ts';
import type { Store } from '../store.ts';
import type { Condition, Node, Pod, Taint, Toleration } from '../types.ts';
import type { RecordEvent } from './events.ts';
import type { PodIndexes } from './indexes.ts';
import { controllerOf, podKey } from './indexes.ts';
import type { Ipam } from './ipam.ts';
import type { Kubelet } from './kubelet.ts';
import { cpuMillis, quantityExact } from '../../kube/quantity.ts';
import { markDisruptionTarget } from './pod-template.ts';

export interface Scheduler {
  /** Handles a batch of keys; returns how many pods were bound. */
  process(keys: Set<string>): number;
  preempt(namespace: string, name: string, by?: { namespace: string; name: string }): Pod;
  close(): void;
}

interface Usage {
  cpu: number;
  memory: number;
  pods: number;
  /** Pods per controller uid, for spreading replicas over nodes. */
  owners: Map<string, number>;
}

function requestsOf(pod: Pod): Omit<Usage, 'owners'> {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec.containers) {
    cpu += cpuMillis(c.resources?.requests?.cpu);
    memory += quantityExact(c.resources?.requests?.memory);
  }
  return { cpu, memory, pods: 1 };
}

export function tolerates(tolerations: Toleration[] | undefined, taint: Taint): Toleration | undefined {
  return (tolerations ?? []).find((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

export function isNodeReady(node: Node): boolean {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

function charge(u: Usage, p: Pod): void {
  const r = requestsOf(p);
  u.cpu += r.cpu;
  u.memory += r.memory;
  u.pods += 1;
  const owner = controllerOf(p)?.uid;
  if (owner) u.owners.set(owner, (u.owners.get(owner) ?? 0) + 1);
}

const terminal = (p: Pod): boolean => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';

export function createScheduler(
  store: Store,
  indexes: PodIndexes,
  ipam: Ipam,
  kubelet: Kubelet,
  record: RecordEvent,
  random: Random,
  clock: Clock,
): Scheduler {
  const lastNode = new Map<string, string>();
  const unsubscribe = store.subscribe((e) => {
    if (e.resource === 'pods' && e.type === 'DELETED') {
      const node = (e.object as Pod).spec?.nodeName;
      if (node) lastNode.set(podKey(e.object), node);
    }
  });

  function usageOf(node: string, cache: Map<string, Usage>): Usage {
    let u = cache.get(node);
    if (!u) {
      u = { cpu: 0, memory: 0, pods: 0, owners: new Map() };
      for (const p of indexes.podsOnNode(node)) {
        if (!terminal(p)) charge(u, p);
      }
      cache.set(node, u);
    }
    return u;
  }

  function pick(pod: Pod, nodes: Node[], cache: Map<string, Usage>): { node?: Node; reasons: Map<string, number> } {
    const need = requestsOf(pod);
    const reasons = new Map<string, number>();
    const reject = (why: string): void => {
      reasons.set(why, (reasons.get(why) ?? 0) + 1);
    };
    let best: Node | undefined;
    let bestScore = Infinity;
    const avoid = lastNode.get(podKey(pod));
    const owner = controllerOf(pod)?.uid;
    for (const node of nodes) {
      const name = node.metadata.name!;
      if (!isNodeReady(node)) {
        reject('node(s) were not ready');
        continue;
      }
      if (node.spec?.unschedulable) {
        reject('node(s) were unschedulable');
        continue;
      }
      const taint = (node.spec?.taints ?? []).find(
        (t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(pod.spec.tolerations, t),
      );
      if (taint) {
        reject(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
        continue;
      }
      const labels = node.metadata.labels ?? {};
      if (Object.entries(pod.spec.nodeSelector ?? {}).some(([k, v]) => labels[k] !== v)) {
        reject("node(s) didn't match Pod's node affinity/selector");
        continue;
      }
      const alloc = node.status?.allocatable ?? {};
      const cpu = cpuMillis(alloc.cpu);
      const mem = quantityExact(alloc.memory);
      const maxPods = Number(alloc.pods ?? '110');
      const used = usageOf(name, cache);
      if (used.cpu + need.cpu > cpu) {
        reject('Insufficient cpu');
        continue;
      }
      if (used.memory + need.memory > mem) {
        reject('Insufficient memory');
        continue;
      }
      if (used.pods + 1 > maxPods) {
        reject('Too many pods');
        continue;
      }
      const siblings = owner ? (used.owners.get(owner) ?? 0) : 0;
      const score =
        (used.cpu + (need.cpu || 100)) / cpu +
        (used.memory + (need.memory || 200 * 1024 ** 2)) / mem +
        siblings * 0.5 +
        (name === avoid ? 10 : 0);
      if (score < bestScore || (score === bestScore && best && name < best.metadata.name!)) {
        best = node;
        bestScore = score;
      }
    }
    return { node: best, reasons };
  }

  function unschedulable(pod: Pod, total: number, reasons: Map<string, number>): void {
    const detail = [...reasons]
      .map(([why, n]) => `${n} ${why}`)
      .sort()
      .join(', ');
    const message = `0/${total} nodes are available: ${detail}.`;
    const cond = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (cond?.status === 'False' && cond.message === message) return;
    const updated = store.mutate(
      'pods',
      pod.metadata.namespace,
      pod.metadata.name!,
      (o) => {
        const p = o as Pod;
        const status = p.status ?? {};
        const conditions: Condition[] = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
        conditions.push({
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message,
          lastProbeTime: null,
          lastTransitionTime: clock.iso(),
        });
        p.status = { ...status, phase: 'Pending', conditions };
      },
      'status',
    );
    record({ involved: updated, reason: 'FailedScheduling', message, type: 'Warning', component: 'default-scheduler' });
  }

  return {
    process(keys) {
      const pending: Pod[] = [];
      const prebound: Pod[] = [];
      const consider = (p: Pod | undefined): void => {
        if (!p || terminal(p) || p.metadata.deletionTimestamp) return;
        if (!p.spec.nodeName) pending.push(p);
        else if (!p.status?.phase) prebound.push(p);
      };
      if (keys.has('*')) {
        for (const p of store.scan('pods')) consider(p as Pod);
      } else {
        for (const key of keys) {
          const slash = key.indexOf('/');
          consider(store.peek('pods', key.slice(0, slash), key.slice(slash + 1)) as Pod | undefined);
        }
      }
      for (const pod of prebound) {
        const node = store.peek('nodes', undefined, pod.spec.nodeName!) as Node | undefined;
        const ip =
          node && (pod.spec.hostNetwork ? node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address : ipam.allocate(pod, node));
        if (node && ip) kubelet.startPod(pod.metadata.namespace!, pod.metadata.name!, node, ip);
      }
      if (pending.length === 0) return 0;
      pending.sort((a, b) => (b.spec.priority ?? 0) - (a.spec.priority ?? 0) || podKey(a).localeCompare(podKey(b)));
      const nodes = [...store.scan('nodes')] as Node[];
      const cache = new Map<string, Usage>();
      let bound = 0;
      for (const pod of pending) {
        const { node, reasons } = pick(pod, nodes, cache);
        if (!node) {
          unschedulable(pod, nodes.length, reasons);
          continue;
        }
        const ip = ipam.allocate(pod, node);
        if (!ip) {
          unschedulable(pod, nodes.length, new Map([['node(s) had no free pod IP address', 1]]));
          continue;
        }
        const ns = pod.metadata.namespace!;
        const name = pod.metadata.name!;
        const boundPod = store.mutate('pods', ns, name, (o) => {
          (o as Pod).spec.nodeName = node.metadata.name;
        });
        charge(usageOf(node.metadata.name!, cache), pod);
        record({
          involved: boundPod,
          reason: 'Scheduled',
          message: `Successfully assigned ${ns}/${name} to ${node.metadata.name}`,
          type: 'Normal',
          component: 'default-scheduler',
        });
        kubelet.startPod(ns, name, node, ip);
        bound++;
      }
      return bound;
    },
    close: unsubscribe,
    preempt(namespace, name, by) {
      const victim = store.read('pods', namespace, name) as Pod;
      const node = victim.spec.nodeName ?? '';
      const preemptor = by ? (store.read('pods', by.namespace, by.name) as Pod).metadata.uid : random.uuid();
      const marked = store.mutate(
        'pods',
        namespace,
        name,
        (o) => {
          markDisruptionTarget(
            o as Pod,
            'PreemptionByScheduler',
            'default-scheduler: preempting to accommodate a higher priority pod',
            clock.iso(),
          );
        },
        'status',
      ) as Pod;
      record({
        involved: marked,
        reason: 'Preempted',
        message: `Preempted by pod ${preemptor} on node ${node}`,
        type: 'Normal',
        component: 'default-scheduler',
      });
      store.delete('pods', namespace, name);
      return marked;
    },
  };
}
