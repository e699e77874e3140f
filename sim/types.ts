/**
 * Wire shapes the simulated API server stores and serves. Only the fields the sim itself reads
 * or writes are typed; everything else a client sends is kept as is.
 */

/** An owner reference as in `metadata.ownerReferences`. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** `metadata` of every stored object. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  [key: string]: unknown;
}

/** Any object the store holds. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** A Kubernetes `Status` object, the body of every error answer. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; causes?: { reason?: string; message: string; field?: string }[] };
  code: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** A change in the store, as watchers and the behaviour drivers see it. */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** Resource id (see `resources.ts`), e.g. `pods`, `statefulsets.apps.kruise.io`. */
  resource: string;
  /** Global resource version of this change. */
  rv: number;
  object: KubeObject;
  /** The object before the change (MODIFIED and DELETED). */
  old?: KubeObject;
}

export interface ContainerSpec {
  name: string;
  image?: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  [key: string]: unknown;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastHeartbeatTime?: string;
  lastProbeTime?: string | null;
}

export interface ContainerState {
  running?: { startedAt: string };
  waiting?: { reason?: string; message?: string };
  terminated?: {
    exitCode: number;
    reason?: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
    containerID?: string;
    signal?: number;
  };
}

export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  state: ContainerState;
  lastState: ContainerState;
}

export interface Pod extends KubeObject {
  spec: {
    nodeName?: string;
    containers: ContainerSpec[];
    tolerations?: Toleration[];
    nodeSelector?: Record<string, string>;
    priority?: number;
    schedulerName?: string;
    hostname?: string;
    subdomain?: string;
    [key: string]: unknown;
  };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    podIP?: string;
    podIPs?: { ip: string }[];
    hostIP?: string;
    hostIPs?: { ip: string }[];
    startTime?: string;
    qosClass?: string;
    conditions?: Condition[];
    containerStatuses?: ContainerStatus[];
    [key: string]: unknown;
  };
}

export interface Node extends KubeObject {
  spec: { unschedulable?: boolean; taints?: Taint[]; podCIDR?: string; podCIDRs?: string[]; [key: string]: unknown };
  status: {
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    conditions?: Condition[];
    addresses?: { type: string; address: string }[];
    nodeInfo?: Record<string, string>;
    [key: string]: unknown;
  };
}

/** Pod template as in StatefulSets, Deployments and ReplicaSets. */
export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Pod['spec'];
}

/** StatefulSet (apps/v1, Kruise and PingCAP flavours), Deployment and ReplicaSet share this shape. */
export interface Workload extends KubeObject {
  spec: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
    template: PodTemplate;
    serviceName?: string;
    reserveOrdinals?: (number | string)[];
    [key: string]: unknown;
  };
  status?: Record<string, unknown>;
}
