/**
 * DaemonSet controller: one pod per eligible node, created already bound to it (the kubelet then
 * starts it; host-network pods get the node's IP), named `<set>-<random>`. A node is eligible when
 * it matches the template's nodeSelector and its NoSchedule/NoExecute taints are tolerated, where
 * daemon pods tolerate the node-condition taints and cordoning as the real controller adds them.
 * Failed daemon pods and pods on nodes no longer eligible are deleted; status counts scheduled,
 * misscheduled, ready and available pods. Input: `ns/name`. Idempotent: no writes when the world
 * already matches.
 */
import { terminatePod } from '../deletion.ts';
import type { Store } from '../store.ts';
import type { Node, Pod, Taint, Toleration, Workload } from '../types.ts';
import type { RecordEvent } from './events.ts';
import type { PodIndexes } from './indexes.ts';
import { isActive, isReady, podFromTemplate, templateHash } from './pod-template.ts';
import { tolerates } from './scheduler.ts';

/** The tolerations the real DaemonSet controller adds to every daemon pod. */
const DAEMON_TOLERATIONS: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

/** Whether a daemon pod of this template belongs on the node. */
export function daemonFits(template: Workload['spec']['template'], node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  if (Object.entries(template.spec.nodeSelector ?? {}).some(([k, v]) => labels[k] !== v)) return false;
  const tolerations = [...(template.spec.tolerations ?? []), ...DAEMON_TOLERATIONS];
  return (node.spec?.taints ?? []).every(
    (t: Taint) => (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') || tolerates(tolerations, t) !== undefined,
  );
}

/** A daemon pod (not yet stored) for a node. */
export function daemonPod(ds: Workload, node: string): Pod {
  const pod = podFromTemplate(ds, {
    generateName: `${ds.metadata.name}-`,
    labels: { 'controller-revision-hash': templateHash(ds.spec.template), 'pod-template-generation': String(ds.metadata.generation ?? 1) },
  });
  pod.spec.nodeName = node;
  pod.spec.tolerations = [...(pod.spec.tolerations ?? []), ...DAEMON_TOLERATIONS];
  return pod;
}

/** The status a DaemonSet has with these nodes and owned pods. */
export function daemonSetStatus(ds: Workload, nodes: Node[], pods: Pod[]): Record<string, unknown> {
  const eligible = new Set(nodes.filter((n) => daemonFits(ds.spec.template, n)).map((n) => n.metadata.name!));
  const active = pods.filter(isActive);
  const scheduled = active.filter((p) => eligible.has(p.spec.nodeName ?? '')).length;
  const ready = active.filter((p) => eligible.has(p.spec.nodeName ?? '') && isReady(p)).length;
  return {
    currentNumberScheduled: scheduled,
    desiredNumberScheduled: eligible.size,
    numberMisscheduled: active.length - scheduled,
    numberReady: ready,
    numberAvailable: ready,
    numberUnavailable: eligible.size - ready,
    updatedNumberScheduled: scheduled,
    observedGeneration: ds.metadata.generation ?? 1,
  };
}

export function createDaemonSetController(store: Store, indexes: PodIndexes, record: RecordEvent) {
  const ownedPods = (ds: Workload): Pod[] =>
    indexes
      .ownedBy(ds.metadata.uid!)
      .map((k) => store.peek('pods', ds.metadata.namespace, k.slice(k.indexOf('/') + 1)) as Pod | undefined)
      .filter((p): p is Pod => p !== undefined);
  const event = (ds: Workload, reason: string, message: string): void => {
    record({ involved: ds, reason, message, type: 'Normal', component: 'daemonset-controller' });
  };

  return {
    reconcile(namespace: string, name: string): void {
      const ds = store.peek('daemonsets', namespace, name) as Workload | undefined;
      if (!ds) return;
      const nodes = [...store.scan('nodes')] as Node[];
      const byNode = new Map<string, Pod[]>();
      for (const pod of ownedPods(ds)) {
        if (!isActive(pod)) {
          if (pod.status?.phase === 'Failed' && !pod.metadata.deletionTimestamp) {
            terminatePod(store, pod);
            event(ds, 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
          }
          continue;
        }
        const list = byNode.get(pod.spec.nodeName ?? '') ?? [];
        list.push(pod);
        byNode.set(pod.spec.nodeName ?? '', list);
      }
      const eligible = new Set<string>();
      for (const node of nodes) {
        const nodeName = node.metadata.name!;
        if (!daemonFits(ds.spec.template, node)) continue;
        eligible.add(nodeName);
        const running = byNode.get(nodeName) ?? [];
        if (running.length === 0 && !ownedPods(ds).some((p) => p.spec.nodeName === nodeName && p.metadata.deletionTimestamp)) {
          const pod = store.create('pods', daemonPod(ds, nodeName));
          event(ds, 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
        }
        for (const extra of running.slice(1)) {
          terminatePod(store, extra);
          event(ds, 'SuccessfulDelete', `Deleted pod: ${extra.metadata.name}`);
        }
      }
      for (const [nodeName, pods] of byNode) {
        if (eligible.has(nodeName)) continue;
        for (const pod of pods) {
          terminatePod(store, pod);
          event(ds, 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        }
      }
      const status = daemonSetStatus(ds, nodes, ownedPods(ds));
      if (JSON.stringify(status) !== JSON.stringify(ds.status)) {
        store.mutate(
          'daemonsets',
          namespace,
          name,
          (o) => {
            o.status = status;
          },
          'status',
        );
      }
    },
  };
}
