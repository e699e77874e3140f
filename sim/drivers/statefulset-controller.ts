/**
 * StatefulSet controller for apps/v1, OpenKruise (`apps.kruise.io/v1beta1`) and PingCAP
 * (`apps.pingcap.com/v1`) StatefulSets: keeps one pod per wanted ordinal named `<set>-<ordinal>`,
 * recreates a deleted pod under the same name once the old one is gone (the scheduler then places
 * it, usually on another node; IPAM keeps or changes its IP by network mode), deletes failed pods
 * so they are recreated, removes (gracefully) pods of ordinals no longer wanted and writes status.
 * `replicas` counts the pods wanted; the wanted ordinals are the lowest ones not skipped:
 * - Kruise skips `spec.reserveOrdinals` (numbers or "a-b" ranges), PingCAP the ordinals of its
 *   `delete-slots` annotation (a JSON array); apps/v1 skips nothing, so it scales in from the top.
 * - With the label protocol of a patched controller enabled (`labelProtocol`), an apps/v1 set
 *   named S also skips ordinals removed by the four steps (1) label the pod `S=deleted`,
 *   (2) label the StatefulSet `S=deleted` and set replicas − 1, (3) delete the pod, (4) remove the
 *   StatefulSet's label. While the set carries `S=deleted`, each of its pods labelled `S=deleted`
 *   is marked: its ordinal is skipped, recorded in the set's `firstmate.io/deleted-ordinals`
 *   annotation (JSON array; the controller's memory, so the ordinal stays removed after steps 3
 *   and 4 and a later scale-out takes a new ordinal), and the pod itself is left for step 3.
 *   A pod label without the set's label, or the set's label alone, changes nothing.
 * Input: `resourceId|ns/name`. Idempotent.
 */
import { terminatePod } from '../deletion.ts';
import type { Store } from '../store.ts';
import type { Pod, Workload } from '../types.ts';
import type { RecordEvent } from './events.ts';
import type { PodIndexes } from './indexes.ts';
import { NETWORK_MODE_ANNOTATION } from './ipam.ts';
import { isActive, isReady, podFromTemplate, templateHash } from './pod-template.ts';

export const PINGCAP_DELETE_SLOTS = 'delete-slots';
export const DELETED_ORDINALS_ANNOTATION = 'firstmate.io/deleted-ordinals';
export const KRUISE_STS = 'statefulsets.apps.kruise.io';
export const PINGCAP_STS = 'statefulsets.apps.pingcap.com';

/** Ordinals from a list of numbers and "a-b" ranges (Kruise reserveOrdinals); junk is ignored. */
export function parseOrdinals(items: readonly unknown[]): number[] {
  const out: number[] = [];
  for (const item of items) {
    const range = typeof item === 'string' ? /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(item) : null;
    if (range) {
      for (let i = Number(range[1]); i <= Number(range[2]); i++) out.push(i);
      continue;
    }
    const n = Number(item);
    if (item !== '' && item !== null && Number.isInteger(n) && n >= 0) out.push(n);
  }
  return out;
}

function jsonOrdinals(text: string | undefined): number[] {
  if (!text) return [];
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? parseOrdinals(parsed) : [];
  } catch {
    return [];
  }
}

/** The ordinals of pods marked by the label protocol (both the set and the pod labelled `<set>=deleted`). */
export function markedOrdinals(sts: Workload, pods: readonly Pod[]): number[] {
  const name = sts.metadata.name!;
  if (sts.metadata.labels?.[name] !== 'deleted') return [];
  return pods.filter((p) => p.metadata.labels?.[name] === 'deleted').map((p) => Number(p.metadata.name!.slice(name.length + 1)));
}

/** The ordinals a StatefulSet of this resource skips. */
export function skippedOrdinals(resource: string, sts: Workload, marked: readonly number[] = [], labelProtocol = false): Set<number> {
  if (resource === KRUISE_STS) return new Set(parseOrdinals(sts.spec.reserveOrdinals ?? []));
  if (resource === PINGCAP_STS) return new Set(jsonOrdinals(sts.metadata.annotations?.[PINGCAP_DELETE_SLOTS]));
  if (!labelProtocol) return new Set();
  return new Set([...jsonOrdinals(sts.metadata.annotations?.[DELETED_ORDINALS_ANNOTATION]), ...marked]);
}

/** The ordinals a StatefulSet wants: the lowest `replicas` ones not skipped. */
export function desiredOrdinals(sts: Workload, skipped: ReadonlySet<number> = new Set()): number[] {
  const out: number[] = [];
  const replicas = sts.spec.replicas ?? 1;
  for (let i = 0; out.length < replicas; i++) if (!skipped.has(i)) out.push(i);
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

export interface StatefulSetControllerOptions {
  /** Honour the four-step label protocol of a patched apps/v1 controller. */
  labelProtocol?: boolean;
}

export function createStatefulSetController(
  store: Store,
  indexes: PodIndexes,
  record: RecordEvent,
  options: StatefulSetControllerOptions = {},
) {
  const ownedPods = (sts: Workload): Pod[] =>
    indexes
      .ownedBy(sts.metadata.uid!)
      .map((k) => store.peek('pods', sts.metadata.namespace, k.slice(k.indexOf('/') + 1)) as Pod | undefined)
      .filter((p): p is Pod => p !== undefined);

  /** Records newly marked ordinals in the set's annotation; returns the set as stored. */
  function remember(resource: string, sts: Workload, marked: number[]): Workload {
    const known = jsonOrdinals(sts.metadata.annotations?.[DELETED_ORDINALS_ANNOTATION]);
    if (marked.every((o) => known.includes(o))) return sts;
    const all = [...new Set([...known, ...marked])].sort((a, b) => a - b);
    return store.mutate(resource, sts.metadata.namespace, sts.metadata.name!, (o) => {
      o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [DELETED_ORDINALS_ANNOTATION]: JSON.stringify(all) };
    }) as Workload;
  }

  return {
    reconcile(resource: string, namespace: string, name: string): void {
      let sts = store.peek(resource, namespace, name) as Workload | undefined;
      if (!sts) return;
      const labelProtocol = resource === 'statefulsets' && options.labelProtocol === true;
      const owned = ownedPods(sts);
      const marked = labelProtocol ? markedOrdinals(sts, owned) : [];
      if (marked.length) sts = remember(resource, sts, marked);
      const wanted = desiredOrdinals(sts, skippedOrdinals(resource, sts, marked, labelProtocol));
      const wantedNames = new Set(wanted.map((i) => `${name}-${i}`));
      const leftForOperator = new Set(marked.map((i) => `${name}-${i}`));
      for (const pod of owned) {
        if (pod.metadata.deletionTimestamp || leftForOperator.has(pod.metadata.name!)) continue;
        if (!wantedNames.has(pod.metadata.name!) || pod.status?.phase === 'Failed') {
          terminatePod(store, pod);
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
      const status = statefulSetStatus(sts, ownedPods(sts));
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
