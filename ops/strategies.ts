/**
 * The plan of each operation: which strategy fits the target's owner, and the steps in order.
 * delete-pod removes one instance for good (Kruise `reserveOrdinals`, PingCAP `delete-slots`,
 * apps/v1 scale-in of the highest ordinal or the label protocol, Deployment/ReplicaSet
 * pod-deletion-cost + scale-in); recreate-pod deletes it for its controller to recreate;
 * cordon/uncordon/drain act on a node. Anything else is refused with the reason.
 */
import { UserError } from '../core/errors.ts';
import type { KObject } from './api.ts';
import type { OpsSettings } from './config-schema.ts';
import { ownerOf, refOf } from './resolve.ts';
import type { OpsApi } from './api.ts';
import type { ObjRef, OpKind, StepSpec, Target } from './types.ts';

import { OPERATION_ANNOTATION } from '../kube/departure.ts';

export { OPERATION_ANNOTATION };
export const DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';
export const PINGCAP_DELETE_SLOTS = 'delete-slots';
const FIXED_IP = 'firstmate.io/network-mode';

/** What a strategy decides: the steps and how to explain them. */
export interface PlanDraft {
  target: Target;
  strategy: string;
  why: string;
  after: string;
  steps: StepSpec[];
}

export const ordinalOf = (name: string): number | undefined => {
  const m = /-(\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
};

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');
const replicasOf = (o: KObject) => Number((o.spec as { replicas?: number } | undefined)?.replicas ?? 1);
const readyOf = (o: KObject) => Number((o.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0);

function podTarget(pod: KObject, ref?: ObjRef, obj?: KObject): Target {
  const ns = pod.metadata.namespace ?? '';
  const spec = pod.spec as { nodeName?: string } | undefined;
  const ip = (pod.status as { podIP?: string } | undefined)?.podIP;
  return {
    kind: 'pod',
    name: `${ns}/${pod.metadata.name}`,
    namespace: ns,
    uid: pod.metadata.uid,
    ...(spec?.nodeName ? { node: spec.nodeName } : {}),
    ...(ip ? { ip } : {}),
    scope: ref ? `${ref.kind}/${ns}/${ref.name}` : `Pod/${ns}/${pod.metadata.name}`,
    ...(ref && obj ? { workload: { ...ref, replicas: replicasOf(obj), ready: readyOf(obj), group: groupOf(ref.apiVersion) } } : {}),
  };
}

/** Plans `delete-pod` or `recreate-pod` for a pod read fresh from the API. */
export async function planPod(
  kind: 'delete-pod' | 'recreate-pod',
  pod: KObject,
  api: OpsApi,
  settings: OpsSettings,
  annotation: string,
): Promise<PlanDraft> {
  const ns = pod.metadata.namespace ?? '';
  const name = pod.metadata.name;
  const owner = await ownerOf(api, pod);
  if ('none' in owner) throw new UserError(`refusing to ${kind} ${ns}/${name}: ${owner.none}.`);
  const { ref, obj } = owner;
  const target = podTarget(pod, ref, obj);
  const podRef = refOf(pod, 'v1', 'Pod', 'pods');
  const replicas = replicasOf(obj);
  const annotate: StepSpec = { type: 'patch-pod', pod: podRef, annotations: { [OPERATION_ANNOTATION]: annotation } };
  const desc = `${ref.kind} ${ns}/${ref.name} (${ref.apiVersion})`;
  if (kind === 'recreate-pod') {
    const sts = ref.kind === 'StatefulSet';
    const fixedIp = pod.metadata.annotations?.[FIXED_IP] === 'fixed-ip' ? target.ip : undefined;
    return {
      target,
      strategy: sts ? 'delete; the StatefulSet controller recreates the same ordinal' : 'delete; the ReplicaSet creates a replacement',
      why: `${desc} recreates a deleted pod`,
      after: sts
        ? `${ns}/${name} recreated under the same name${fixedIp ? ` with the same IP ${fixedIp}` : ''}, ${replicas} replicas Ready`
        : `a new pod replaces ${name}, ${replicas} replicas Ready`,
      steps: [
        annotate,
        { type: 'delete-pod', pod: podRef },
        { type: 'verify-recreated', pod: podRef, workload: ref, replicas, sameName: sts, ...(fixedIp ? { fixedIp } : {}) },
      ],
    };
  }
  if (replicas < 1) throw new UserError(`refusing: ${desc} already has 0 replicas.`);
  const keep = await siblings(api, ref, pod);
  const verify: StepSpec = { type: 'verify-removed', pod: podRef, workload: ref, replicas: replicas - 1, keep };
  const after = `${desc}: ${replicas - 1} replicas, ${name} gone, the other ${keep.length} pods untouched`;
  const group = groupOf(ref.apiVersion);
  if (ref.kind === 'StatefulSet') {
    const ordinal = ordinalOf(name);
    if (ordinal === undefined) throw new UserError(`refusing: cannot read the ordinal of ${name}.`);
    if (group === 'apps.kruise.io') {
      return {
        target,
        strategy: 'OpenKruise reserveOrdinals',
        why: `${desc} skips ordinals listed in spec.reserveOrdinals: adding ${ordinal} and decrementing spec.replicas in one update removes exactly ${name}`,
        after,
        steps: [annotate, { type: 'scale', workload: ref, from: replicas, to: replicas - 1, reserveOrdinal: ordinal }, verify],
      };
    }
    if (group === 'apps.pingcap.com') {
      return {
        target,
        strategy: 'PingCAP delete-slots',
        why: `${desc} skips ordinals in its delete-slots annotation: adding ${ordinal} and decrementing spec.replicas in one update removes exactly ${name}`,
        after,
        steps: [annotate, { type: 'scale', workload: ref, from: replicas, to: replicas - 1, deleteSlot: ordinal }, verify],
      };
    }
    if (group !== 'apps') throw new UserError(`refusing: ${desc} is a StatefulSet kind firstmate has no strategy for.`);
    const highest = Math.max(ordinal, ...(await ordinals(api, ref, pod)));
    if (ordinal === replicas - 1 && ordinal >= highest) {
      return {
        target,
        strategy: 'scale in (highest ordinal)',
        why: `${name} has the highest ordinal of ${desc}, which a scale-in by one removes`,
        after,
        steps: [annotate, { type: 'scale', workload: ref, from: replicas, to: replicas - 1 }, verify],
      };
    }
    if (!settings.statefulsetLabelProtocol) {
      throw new UserError(
        `refusing to delete-pod ${ns}/${name}: ${desc} only scales in from its highest ordinal (${replicas - 1}), so removing ordinal ${ordinal} for good is not possible here. ` +
          `To get a fresh instance instead, run \`recreate-pod ${ns}/${name}\` (deleted and recreated under the same name).`,
      );
    }
    const label = { key: ref.name, value: 'deleted' };
    return {
      target,
      strategy: 'label protocol (patched StatefulSet controller)',
      why: `${name} is not the highest ordinal of ${desc}; the cluster's patched controller removes a pod labelled ${label.key}=${label.value} when the StatefulSet carries the same label and one replica less`,
      after,
      steps: [
        { type: 'patch-pod', pod: podRef, labels: { [label.key]: label.value }, annotations: { [OPERATION_ANNOTATION]: annotation } },
        { type: 'scale', workload: ref, from: replicas, to: replicas - 1, label },
        { type: 'delete-pod', pod: podRef },
        { type: 'unlabel-workload', workload: ref, key: label.key },
        verify,
      ],
    };
  }
  return {
    target,
    strategy: 'pod-deletion-cost + scale in',
    why: `${desc} removes the pod with the lowest ${DELETION_COST} first when it scales in`,
    after,
    steps: [
      { type: 'patch-pod', pod: podRef, annotations: { [DELETION_COST]: '-2147483648', [OPERATION_ANNOTATION]: annotation } },
      { type: 'scale', workload: ref, from: replicas, to: replicas - 1 },
      verify,
    ],
  };
}

/** Plans a node operation. */
export function planNode(kind: Extract<OpKind, 'cordon' | 'uncordon' | 'drain'>, node: KObject): PlanDraft {
  const name = node.metadata.name;
  const cordoned = (node.spec as { unschedulable?: boolean } | undefined)?.unschedulable === true;
  const target: Target = { kind: 'node', name, uid: node.metadata.uid, node: name, scope: `Node/${name}` };
  if (kind === 'uncordon') {
    if (!cordoned) throw new UserError(`node ${name} is not cordoned.`);
    return {
      target,
      strategy: 'uncordon',
      why: 'clears spec.unschedulable',
      after: `${name} schedulable again`,
      steps: [{ type: 'cordon', node: name, unschedulable: false }],
    };
  }
  if (kind === 'cordon') {
    if (cordoned) throw new UserError(`node ${name} is already cordoned.`);
    return {
      target,
      strategy: 'cordon',
      why: 'sets spec.unschedulable: new pods are not scheduled there, running ones stay',
      after: `${name} cordoned, its pods keep running`,
      steps: [{ type: 'cordon', node: name, unschedulable: true }],
    };
  }
  return {
    target,
    strategy: 'cordon + evict (Eviction API)',
    why: 'evictions honour PodDisruptionBudgets (a 429 is retried until the deadline); DaemonSet and mirror pods stay',
    after: `${name} cordoned and empty but for DaemonSet and mirror pods`,
    steps: [
      { type: 'cordon', node: name, unschedulable: true },
      { type: 'evict-node', node: name },
    ],
  };
}

/** Uids of the workload's other pods (they must survive a delete-pod). */
async function siblings(api: OpsApi, ref: ObjRef, pod: KObject): Promise<string[]> {
  return (await ownedPods(api, ref, pod)).filter((p) => p.metadata.uid !== pod.metadata.uid).map((p) => p.metadata.uid);
}

async function ordinals(api: OpsApi, ref: ObjRef, pod: KObject): Promise<number[]> {
  return (await ownedPods(api, ref, pod)).map((p) => ordinalOf(p.metadata.name) ?? -1);
}

/** Pods whose controller is the workload (or, for a Deployment, one of its ReplicaSets). */
export async function ownedPods(api: OpsApi, ref: ObjRef, pod: KObject): Promise<KObject[]> {
  const ns = pod.metadata.namespace ?? '';
  const all = await api.list(`/api/v1/namespaces/${encodeURIComponent(ns)}/pods`);
  let owners = new Set([ref.uid]);
  if (ref.kind === 'Deployment') {
    const rss = await api.list(`/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/replicasets`);
    owners = new Set(rss.filter((r) => r.metadata.ownerReferences?.some((o) => o.uid === ref.uid)).map((r) => r.metadata.uid));
  }
  return all.filter((p) => p.metadata.ownerReferences?.some((o) => o.controller && owners.has(o.uid)));
}
