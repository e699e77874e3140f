/**
 * Builders for the objects simulated clusters are made of: nodes with realistic capacity,
 * addresses, labels and kubelet info; namespaces; StatefulSets (three flavours) and Deployments.
 */
import { apiVersionOf, resourceById } from './resources.ts';
import { healthyNodeConditions } from './drivers/node-conditions.ts';
import type { Drivers } from './drivers/drivers.ts';
import type { Store } from './store.ts';
import type { ContainerSpec, KubeObject, Node, PodTemplate, Toleration, Workload } from './types.ts';

/** A cluster to load into the sim. */
export interface ClusterSpec {
  /** Objects of any served kinds; namespaces must come before what lives in them. */
  objects: KubeObject[];
  /** Default network mode for StatefulSet pods. */
  networkMode?: 'per-node' | 'fixed-ip';
  /** How long ago the controllers created the pods this spec leaves to them (default 0: now). */
  settledAgoMs?: number;
  /** The apps/v1 StatefulSet controller honours the label protocol of a patched controller (default false). */
  statefulsetLabelProtocol?: boolean;
  /** Wall-clock time per second of a pod's termination grace period (default 1: real time). */
  gracePeriodScale?: number;
  /** Runs once the cluster has settled, to leave some history (OOM kills, evictions, events). */
  scenario?: (drivers: Drivers, store: Store) => void;
}

export interface NodeInput {
  name: string;
  internalIp: string;
  podCIDR: string;
  zone: string;
  region: string;
  diskType: 'ssd' | 'hdd';
  cpu: number;
  memoryGi: number;
  kernelVersion: string;
  createdAt: string;
  unschedulable?: boolean;
  extraLabels?: Record<string, string>;
}

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const DISK_TYPE_LABEL = 'firstmate.io/disk-type';
export const OWNER_ANNOTATION = 'firstmate.io/owner';
export const CHANNEL_ANNOTATION = 'firstmate.io/channel';

export function isoAgo(now: number, ms: number): string {
  return new Date(now - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function buildNamespace(name: string, createdAt: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, creationTimestamp: createdAt, labels: { 'kubernetes.io/metadata.name': name, ...labels } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

export function buildNode(n: NodeInput, heartbeat: string): Node {
  const allocCpu = `${n.cpu * 1000 - 500}m`;
  const allocMemKi = n.memoryGi * 1024 * 1024 - 2 * 1024 * 1024;
  const node: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      creationTimestamp: n.createdAt,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': n.diskType === 'ssd' ? `c${n.cpu}.m${n.memoryGi}.ssd` : `g${n.cpu}.m${n.memoryGi}.hdd`,
        'topology.kubernetes.io/region': n.region,
        [ZONE_LABEL]: n.zone,
        [DISK_TYPE_LABEL]: n.diskType,
        ...(n.extraLabels ?? {}),
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR] },
    status: {
      capacity: {
        cpu: String(n.cpu),
        memory: `${n.memoryGi * 1024 * 1024}Ki`,
        pods: '110',
        'ephemeral-storage': n.diskType === 'ssd' ? '960Gi' : '3840Gi',
        'hugepages-2Mi': '0',
      },
      allocatable: {
        cpu: allocCpu,
        memory: `${allocMemKi}Ki`,
        pods: '110',
        'ephemeral-storage': n.diskType === 'ssd' ? '884Gi' : '3533Gi',
        'hugepages-2Mi': '0',
      },
      conditions: healthyNodeConditions(heartbeat, n.createdAt),
      addresses: [
        { type: 'InternalIP', address: n.internalIp },
        { type: 'Hostname', address: n.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: '',
        containerRuntimeVersion: 'containerd://1.7.24',
        kernelVersion: n.kernelVersion,
        kubeProxyVersion: 'v1.31.4',
        kubeletVersion: 'v1.31.4',
        machineID: '',
        operatingSystem: 'linux',
        osImage: 'Ubuntu 22.04.5 LTS',
        systemUUID: '',
      },
    },
  };
  if (n.unschedulable) {
    node.spec.unschedulable = true;
    node.spec.taints = [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: n.createdAt }];
  }
  return node;
}

export interface WorkloadInput {
  namespace: string;
  name: string;
  replicas: number;
  image: string;
  cpu: string;
  memory: string;
  memoryLimit?: string;
  createdAt: string;
  /** `firstmate.io/owner` and `firstmate.io/channel` on the workload and its pods. */
  owner?: string;
  channel?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  annotations?: Record<string, string>;
  extra?: Record<string, unknown>;
}

function template(w: WorkloadInput, ownerAnnotations: Record<string, string>): PodTemplate {
  const container: ContainerSpec = {
    name: w.name.split('-')[0]!,
    image: w.image,
    resources: { requests: { cpu: w.cpu, memory: w.memory }, limits: { memory: w.memoryLimit ?? w.memory } },
  };
  const spec: PodTemplate['spec'] = {
    containers: [container],
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    terminationGracePeriodSeconds: 30,
  };
  if (w.nodeSelector) spec.nodeSelector = w.nodeSelector;
  if (w.tolerations) spec.tolerations = w.tolerations;
  const meta: PodTemplate['metadata'] = { labels: { app: w.name } };
  if (Object.keys(ownerAnnotations).length) meta.annotations = ownerAnnotations;
  return { metadata: meta, spec };
}

/** A StatefulSet of the given flavour: `statefulsets`, `statefulsets.apps.kruise.io` or `statefulsets.apps.pingcap.com`. */
export function buildStatefulSet(resource: string, w: WorkloadInput): Workload {
  const def = resourceById(resource);
  const owner: Record<string, string> = {};
  if (w.owner) owner[OWNER_ANNOTATION] = w.owner;
  if (w.channel) owner[CHANNEL_ANNOTATION] = w.channel;
  return {
    apiVersion: apiVersionOf(def),
    kind: 'StatefulSet',
    metadata: {
      name: w.name,
      namespace: w.namespace,
      creationTimestamp: w.createdAt,
      labels: { app: w.name },
      annotations: { ...owner, ...(w.annotations ?? {}) },
    },
    spec: {
      replicas: w.replicas,
      serviceName: w.name,
      selector: { matchLabels: { app: w.name } },
      template: template(w, owner),
      podManagementPolicy: 'Parallel',
      ...(w.extra ?? {}),
    },
  };
}

export function buildDeployment(w: WorkloadInput): Workload {
  const owner: Record<string, string> = {};
  if (w.owner) owner[OWNER_ANNOTATION] = w.owner;
  if (w.channel) owner[CHANNEL_ANNOTATION] = w.channel;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: w.name,
      namespace: w.namespace,
      creationTimestamp: w.createdAt,
      labels: { app: w.name },
      annotations: { ...owner, ...(w.annotations ?? {}) },
    },
    spec: {
      replicas: w.replicas,
      selector: { matchLabels: { app: w.name } },
      template: template(w, owner),
      strategy: { type: 'RollingUpdate' },
    },
  };
}
