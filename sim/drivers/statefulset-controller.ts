/**
 * StatefulSet controller for apps/v1, OpenKruise (`apps.kruise.io/v1beta1`) and PingCAP
 * (`apps.pingcap.com/v1`) StatefulSets: keeps one pod per ordinal named `<set>-<ordinal>`,
 * recreates a deleted pod under the same name (the scheduler then places it, usually on another
 * node; IPAM keeps or changes its IP by network mode), deletes failed pods so they are recreated,
 * removes pods of ordinals no longer wanted and writes status. Ordinals skip Kruise
 * `spec.reserveOrdinals` and PingCAP's `delete-slots` annotation, which is how one specific
 * instance is dropped. Input: `resourceId|ns/name`. Idempotent.
 */
import type { Store } from '../store.ts';
import type { Pod, Workload } from '../types.ts';
import type { RecordEvent } from './events.ts';
import type { PodIndexes } from './indexes.ts';
import { NETWORK_MODE_ANNOTATION } from './ipam.ts';
import { isActive, isReady, podFromTemplate, templateHash } from './pod-template.ts';

export const PINGCAP_DELETE_SLOTS = 'delete-slots';

/** The ordinals a StatefulSet wants, honouring reserved/deleted slots. */
export function desiredOrdinals(sts: Workload): number[] {
  const reserved = new Set<number>();
  for (const r of sts.spec.reserveOrdinals ?? []) reserved.add(Number(r));
  const slots = sts.metadata.annotations?.[PINGCAP_DELETE_SLOTS];
  if (slots) {
    try {
      for (const s of JSON.parse(slots) as unknown[]) reserved.add(Number(s));
    } catch {
      // an unparsable annotation reserves nothing, like the PingCAP controller
    }
  }
  const out: number[] = [];
  const replicas = sts.spec.replicas ?? 1;
  for (let i = 0; out.length < replicas; i++) if (!reserved.has(i)) out.push(i);
  return out;
}

/** The status a StatefulSet has with these pods. */
export function statefulSetStatus(sts: Workload, pods: Pod[]): Record<string, unknown> {
  const revision = `${sts.metadata.name}-${templateHash(sts.spec.template)}`;
  const ready = pods.filter((p) => isActive(p) && isReady(p)).length;
  return {
    observedGeneration: sts.metadata.generation ?? 1,
    replicas: pods.length,
    readyReplicas: ready,
    currentReplicas: pods.length,
    updatedReplicas: pods.length,
    availableReplicas: ready,
    currentRevision: revision,
    updateRevision: revision,
    collisionCount: 0,
  };
}

export function statefulSetPod(sts: Workload, ordinal: number, share = false): Pod {
  const name = `${sts.metadata.name}-${ordinal}`;
  const revision = `${sts.metadata.name}-${templateHash(sts.spec.template)}`;
  const mode = sts.metadata.annotations?.[NETWORK_MODE_ANNOTATION];
  const pod = podFromTemplate(
    sts,
    {
      name,
      labels: {
        'statefulset.kubernetes.io/pod-name': name,
        'apps.kubernetes.io/pod-index': String(ordinal),
        'controller-revision-hash': revision,
      },
      annotations: mode ? { [NETWORK_MODE_ANNOTATION]: mode } : undefined,
    },
    share,
  );
  pod.spec.hostname = name;
  if (sts.spec.serviceName) pod.spec.subdomain = sts.spec.serviceName;
  return pod;
}

export function createStatefulSetController(store: Store, indexes: PodIndexes, record: RecordEvent) {
  return {
    reconcile(resource: string, namespace: string, name: string): void {
      const sts = store.peek(resource, namespace, name) as Workload | undefined;
      if (!sts) return;
      const wanted = desiredOrdinals(sts);
      const wantedNames = new Set(wanted.map((i) => `${name}-${i}`));
      const owned = indexes
        .ownedBy(sts.metadata.uid!)
        .map((k) => store.peek('pods', namespace, k.slice(k.indexOf('/') + 1)) as Pod | undefined)
        .filter((p): p is Pod => p !== undefined);
      for (const pod of owned) {
        if (!wantedNames.has(pod.metadata.name!) || pod.status?.phase === 'Failed') {
          store.delete('pods', namespace, pod.metadata.name!);
          record({
            involved: sts,
            reason: 'SuccessfulDelete',
            message: `delete Pod ${pod.metadata.name} in StatefulSet ${name} successful`,
            type: 'Normal',
            component: 'statefulset-controller',
          });
        }
      }
      for (const ordinal of wanted) {
        const podName = `${name}-${ordinal}`;
        if (store.peek('pods', namespace, podName)) continue;
        store.create('pods', statefulSetPod(sts, ordinal));
        record({
          involved: sts,
          reason: 'SuccessfulCreate',
          message: `create Pod ${podName} in StatefulSet ${name} successful`,
          type: 'Normal',
          component: 'statefulset-controller',
        });
      }
      const pods = indexes
        .ownedBy(sts.metadata.uid!)
        .map((k) => store.peek('pods', namespace, k.slice(k.indexOf('/') + 1)) as Pod | undefined)
        .filter((p): p is Pod => p !== undefined);
      const status = statefulSetStatus(sts, pods);
      if (JSON.stringify(status) !== JSON.stringify(sts.status)) {
        store.mutate(
          resource,
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
