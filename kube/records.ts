/**
 * The compact records the cache keeps instead of full API objects: only what firstmate reads.
 * Timestamps are epoch milliseconds (0 when unknown). Each record keeps a `metadata` with name,
 * namespace and resourceVersion so the client's ListWatch can store it as it is.
 */

/** Identity shared by every record. */
export interface RecordMeta {
  name: string;
  /** '' for cluster-scoped objects. */
  namespace: string;
  uid: string;
  resourceVersion: string;
  createdAt: number;
}

/** A controller reference (`ownerReferences[controller=true]`). */
export interface OwnerRef {
  kind: string;
  name: string;
  uid: string;
}

export interface NodeCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransition: number;
}

export interface Taint {
  key: string;
  value: string;
  effect: string;
}

export interface NodeResources {
  cpuMillis: number;
  memoryBytes: number;
  pods: number;
  ephemeralBytes: number;
}

export interface NodeRecord {
  metadata: RecordMeta;
  kind: 'Node';
  labels: Record<string, string>;
  /** Only `firstmate.io/*` annotations are kept. */
  annotations?: Record<string, string>;
  addresses: Array<{ type: string; address: string }>;
  capacity: NodeResources;
  allocatable: NodeResources;
  conditions: NodeCondition[];
  taints: Taint[];
  unschedulable: boolean;
  kubeletVersion: string;
  runtimeVersion: string;
  kernelVersion: string;
  osImage: string;
}

export interface ContainerTermination {
  reason: string;
  exitCode: number;
  startedAt: number;
  finishedAt: number;
}

export interface ContainerRecord {
  name: string;
  cpuRequestMillis: number;
  memoryRequestBytes: number;
  memoryLimitBytes: number;
  restartCount: number;
  ready: boolean;
  /** running | waiting | terminated | unknown */
  state: string;
  /** Waiting or terminated reason of the current state. */
  stateReason: string;
  /** The current state when it is `terminated`. */
  terminated?: ContainerTermination;
  /** `lastState.terminated`: why the previous instance ended. */
  lastTerminated?: ContainerTermination;
}

export interface PodRecord {
  metadata: RecordMeta;
  kind: 'Pod';
  /** When the deletion was requested (deletionTimestamp minus the grace period); 0 when not deleting. */
  deletedAt: number;
  owner?: OwnerRef;
  /** Only `firstmate.io/*` annotations are kept. */
  annotations?: Record<string, string>;
  nodeName: string;
  podIP: string;
  hostIP: string;
  hostNetwork: boolean;
  phase: string;
  /** `status.reason` (e.g. `Evicted`, `Preempting`) and its message. */
  reason: string;
  message: string;
  ready: boolean;
  /** When the Ready condition last turned true (0 when not ready). */
  readyAt: number;
  /** When the Ready condition last turned false (0 when ready or unknown). */
  unreadyAt: number;
  /** `DisruptionTarget` condition reason when present (`DeletionByTaintManager`, `PreemptionByScheduler`, …). */
  disruption: string;
  disruptionAt: number;
  cpuRequestMillis: number;
  memoryRequestBytes: number;
  containers: ContainerRecord[];
}

export interface EventRecord {
  metadata: RecordMeta;
  kind: 'Event';
  involved: { kind: string; namespace: string; name: string; uid: string };
  reason: string;
  message: string;
  type: string;
  count: number;
  firstAt: number;
  lastAt: number;
  source: string;
  host: string;
}

export type WorkloadKind = 'StatefulSet' | 'Deployment' | 'ReplicaSet' | 'Job';

export interface WorkloadRecord {
  metadata: RecordMeta;
  kind: WorkloadKind;
  /** API group of a StatefulSet that is not apps/v1: `apps.kruise.io` or `apps.pingcap.com`. */
  group?: string;
  owner?: OwnerRef;
  /** Only `firstmate.io/*` annotations are kept. */
  annotations?: Record<string, string>;
  replicas: number;
  readyReplicas: number;
  /**
   * Conditions worth a notice only: those not `True` (Deployment `Progressing=False`,
   * `Available=False`) and a Job's `Failed`/`Complete`. Absent when there are none.
   */
  conditions?: WorkloadCondition[];
  /** Job: failed pods so far. */
  failed?: number;
}

export interface WorkloadCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransition: number;
}

export type AnyRecord = NodeRecord | PodRecord | EventRecord | WorkloadRecord;
export type ResourceKind = 'Node' | 'Pod' | 'Event' | WorkloadKind;

/** `namespace/name` (or `name` for cluster-scoped objects). */
export function keyOf(meta: { namespace: string; name: string }): string {
  return meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name;
}
