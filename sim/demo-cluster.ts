/**
 * The demo cluster (deterministic for a seed): 36 worker nodes `node-01`…`node-36` over three
 * zones (`cn-east-1a/b/c`, `topology.kubernetes.io/zone`), InternalIP `10.0.0.11`…`10.0.0.46`
 * (node-NN has 10.0.0.(10+NN), so `host 10.0.0.12` is node-02), pod CIDR `10.244.NN.0/24`;
 * node-01…node-24 are `firstmate.io/disk-type: ssd` (32 CPU / 128 GiB), node-25…node-36 `hdd`
 * (16 CPU / 64 GiB); node-36 is cordoned. About 250 pods: the DaemonSets kube-proxy, node-exporter
 * and fluent-bit with a pod on every node (host network, pod IP = node IP), Deployments with ReplicaSets in `payments`,
 * `orders`, `search`, `web` and `monitoring`, StatefulSets `payments/mysql`, `orders/redis`,
 * `search/es-data`, `monitoring/prometheus`, an OpenKruise `data/kafka`, PingCAP `data/tikv` and
 * `data/pd`. mysql, redis, kafka, tikv and pd use the fixed-IP network mode
 * (`firstmate.io/network-mode: fixed-ip`, pool 10.16.0.0/16 from 10.16.1.10), the others get
 * per-node IPs that change when a pod moves. Workloads carry `firstmate.io/owner` and
 * `firstmate.io/channel`. The apps/v1 StatefulSet controller honours the label protocol of a
 * patched controller (`statefulsetLabelProtocol`), as the platform this demo stands for does, and
 * pods terminate in a tenth of their grace period (3 s for the usual 30 s). Nodes are ~120 days old, controller-made pods ~2 days. The scenario leaves an OOM kill of `orders/order-consumer` (its first pod,
 * restartCount 1), a memory-pressure eviction of a `search/search-api` pod and their events.
 * Examples with the default seeds (`createDemoCluster()` served by `startSim()`):
 *   10.0.0.12    node-02 (cn-east-1b, ssd); runs search-api (10.244.2.2), recommend-svc (10.244.2.3),
 *                web-frontend (10.244.2.4), data/kafka-1 (fixed 10.16.1.11) and the host-network pods
 *   10.16.1.10   data/kafka-0 on node-01 (fixed IP, OpenKruise StatefulSet)
 *   10.16.1.29   payments/mysql-0 on node-17 (fixed IP, apps/v1 StatefulSet)
 *   10.244.25.4  search/es-data-0 on node-25 (hdd, per-node IP)
 *   10.244.21.3  the OOM-killed orders/order-consumer pod on node-21
 */
import { buildDeployment, buildNamespace, buildNode, buildStatefulSet, isoAgo } from './cluster-builders.ts';
import type { ClusterSpec, WorkloadInput } from './cluster-builders.ts';
import { NETWORK_MODE_ANNOTATION } from './drivers/ipam.ts';
import { runningPodStatus } from './drivers/kubelet.ts';
import { createRandom } from './random.ts';
import { daemonPod, daemonSetStatus } from './drivers/daemonset-controller.ts';
import type { KubeObject, Node, PodTemplate, Workload } from './types.ts';

const DAY = 86_400_000;
const ZONES = ['cn-east-1a', 'cn-east-1b', 'cn-east-1c'];
const FIXED = { [NETWORK_MODE_ANNOTATION]: 'fixed-ip' };

export interface DemoOptions {
  seed?: number;
  /** "Now" for ages (default: the current time). */
  now?: number;
}

/** A DaemonSet with one Running host-network pod per node, stored as its controller would leave them. */
function daemonSet(
  nodes: Node[],
  name: string,
  namespace: string,
  image: string,
  now: number,
  random: ReturnType<typeof createRandom>,
): KubeObject[] {
  const uid = random.uuid();
  const template: PodTemplate = {
    metadata: { labels: { app: name } },
    spec: {
      hostNetwork: true,
      containers: [{ name, image, resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } } }],
      tolerations: [{ operator: 'Exists' }],
      priorityClassName: 'system-node-critical',
      priority: 2000001000,
      terminationGracePeriodSeconds: 30,
    },
  };
  const ds: Workload = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace, uid, creationTimestamp: isoAgo(now, 90 * DAY), labels: { app: name } },
    spec: { selector: { matchLabels: { app: name } }, template, updateStrategy: { type: 'RollingUpdate' } },
  };
  const pods = nodes.map((node) => {
    const ip = node.status.addresses![0]!.address;
    const pod = daemonPod(ds, node.metadata.name!);
    pod.metadata.name = `${name}-${random.suffix(5)}`;
    delete pod.metadata.generateName;
    pod.metadata.creationTimestamp = isoAgo(now, 90 * DAY);
    pod.status = runningPodStatus(pod, ip, ip, isoAgo(now, 90 * DAY), () => `containerd://${random.hex(64)}`);
    return pod;
  });
  ds.status = daemonSetStatus(ds, nodes, pods);
  return [ds, ...pods];
}

export function createDemoCluster(options: DemoOptions = {}): ClusterSpec {
  const random = createRandom(options.seed ?? 20_240_601);
  const now = options.now ?? Date.now();
  const created = isoAgo(now, 120 * DAY);
  const objects: KubeObject[] = [];
  for (const ns of [
    'default',
    'kube-system',
    'kube-public',
    'kube-node-lease',
    'monitoring',
    'logging',
    'payments',
    'orders',
    'search',
    'web',
    'data',
  ]) {
    objects.push(buildNamespace(ns, created, ns.startsWith('kube') || ns === 'default' ? {} : { 'firstmate.io/team': ns }));
  }
  const nodes: Node[] = [];
  for (let i = 1; i <= 36; i++) {
    const nn = String(i).padStart(2, '0');
    const ssd = i <= 24;
    nodes.push(
      buildNode(
        {
          name: `node-${nn}`,
          internalIp: `10.0.0.${10 + i}`,
          podCIDR: `10.244.${i}.0/24`,
          zone: ZONES[(i - 1) % 3]!,
          region: 'cn-east-1',
          diskType: ssd ? 'ssd' : 'hdd',
          cpu: ssd ? 32 : 16,
          memoryGi: ssd ? 128 : 64,
          kernelVersion: i % 5 === 0 ? '6.8.0-49-generic' : '5.15.0-126-generic',
          createdAt: isoAgo(now, (120 - (i % 7)) * DAY),
          unschedulable: i === 36,
        },
        isoAgo(now, 10_000),
      ),
    );
  }
  objects.push(...nodes);
  objects.push(...daemonSet(nodes, 'kube-proxy', 'kube-system', 'registry.k8s.io/kube-proxy:v1.31.4', now, random));
  objects.push(...daemonSet(nodes, 'node-exporter', 'monitoring', 'quay.io/prometheus/node-exporter:v1.8.2', now, random));
  objects.push(...daemonSet(nodes, 'fluent-bit', 'logging', 'cr.fluentbit.io/fluent/fluent-bit:3.1.9', now, random));

  const at = (days: number): string => isoAgo(now, days * DAY);
  const ssd = { 'firstmate.io/disk-type': 'ssd' };
  const hdd = { 'firstmate.io/disk-type': 'hdd' };
  const team = (t: string): Pick<WorkloadInput, 'owner' | 'channel'> => ({ owner: `team-${t}`, channel: `#${t}-oncall` });
  const deployments: WorkloadInput[] = [
    {
      namespace: 'kube-system',
      name: 'coredns',
      replicas: 2,
      image: 'registry.k8s.io/coredns/coredns:v1.11.3',
      cpu: '100m',
      memory: '70Mi',
      memoryLimit: '170Mi',
      createdAt: at(120),
    },
    {
      namespace: 'monitoring',
      name: 'grafana',
      replicas: 1,
      image: 'grafana/grafana:11.3.0',
      cpu: '250m',
      memory: '512Mi',
      createdAt: at(60),
      ...team('sre'),
    },
    {
      namespace: 'payments',
      name: 'payment-api',
      replicas: 16,
      image: 'registry.example.com/payments/payment-api:2.14.1',
      cpu: '500m',
      memory: '1Gi',
      createdAt: at(30),
      ...team('payments'),
    },
    {
      namespace: 'payments',
      name: 'payment-worker',
      replicas: 8,
      image: 'registry.example.com/payments/payment-worker:2.14.1',
      cpu: '500m',
      memory: '768Mi',
      createdAt: at(30),
      ...team('payments'),
    },
    {
      namespace: 'orders',
      name: 'order-api',
      replicas: 20,
      image: 'registry.example.com/orders/order-api:5.2.0',
      cpu: '500m',
      memory: '1Gi',
      createdAt: at(12),
      ...team('orders'),
    },
    {
      namespace: 'orders',
      name: 'order-consumer',
      replicas: 8,
      image: 'registry.example.com/orders/order-consumer:5.2.0',
      cpu: '250m',
      memory: '512Mi',
      createdAt: at(12),
      ...team('orders'),
    },
    {
      namespace: 'search',
      name: 'search-api',
      replicas: 12,
      image: 'registry.example.com/search/search-api:1.9.3',
      cpu: '1',
      memory: '2Gi',
      createdAt: at(45),
      ...team('search'),
    },
    {
      namespace: 'web',
      name: 'web-frontend',
      replicas: 24,
      image: 'registry.example.com/web/frontend:8.0.4',
      cpu: '250m',
      memory: '256Mi',
      createdAt: at(3),
      ...team('web'),
    },
    {
      namespace: 'web',
      name: 'recommend-svc',
      replicas: 10,
      image: 'registry.example.com/web/recommend:0.22.0',
      cpu: '1',
      memory: '3Gi',
      createdAt: at(20),
      ...team('web'),
    },
    { namespace: 'default', name: 'nginx', replicas: 2, image: 'nginx:1.27.2', cpu: '100m', memory: '128Mi', createdAt: at(100) },
  ];
  for (const d of deployments) objects.push(buildDeployment(d));
  const sts: [string, WorkloadInput][] = [
    [
      'statefulsets',
      {
        namespace: 'payments',
        name: 'mysql',
        replicas: 3,
        image: 'mysql:8.0.39',
        cpu: '2',
        memory: '8Gi',
        createdAt: at(110),
        nodeSelector: ssd,
        annotations: FIXED,
        ...team('payments'),
      },
    ],
    [
      'statefulsets',
      {
        namespace: 'orders',
        name: 'redis',
        replicas: 6,
        image: 'redis:7.2.5',
        cpu: '1',
        memory: '4Gi',
        createdAt: at(80),
        nodeSelector: ssd,
        annotations: FIXED,
        ...team('orders'),
      },
    ],
    [
      'statefulsets',
      {
        namespace: 'search',
        name: 'es-data',
        replicas: 9,
        image: 'docker.elastic.co/elasticsearch/elasticsearch:8.15.3',
        cpu: '2',
        memory: '8Gi',
        createdAt: at(70),
        nodeSelector: hdd,
        ...team('search'),
      },
    ],
    [
      'statefulsets',
      {
        namespace: 'monitoring',
        name: 'prometheus',
        replicas: 2,
        image: 'quay.io/prometheus/prometheus:v2.55.0',
        cpu: '2',
        memory: '8Gi',
        createdAt: at(90),
        nodeSelector: ssd,
        ...team('sre'),
      },
    ],
    [
      'statefulsets.apps.kruise.io',
      {
        namespace: 'data',
        name: 'kafka',
        replicas: 5,
        image: 'apache/kafka:3.8.0',
        cpu: '2',
        memory: '6Gi',
        createdAt: at(100),
        nodeSelector: ssd,
        annotations: FIXED,
        extra: { reserveOrdinals: [] },
        ...team('data'),
      },
    ],
    [
      'statefulsets.apps.pingcap.com',
      {
        namespace: 'data',
        name: 'tikv',
        replicas: 5,
        image: 'pingcap/tikv:v8.1.1',
        cpu: '4',
        memory: '16Gi',
        createdAt: at(100),
        nodeSelector: ssd,
        annotations: FIXED,
        ...team('data'),
      },
    ],
    [
      'statefulsets.apps.pingcap.com',
      {
        namespace: 'data',
        name: 'pd',
        replicas: 3,
        image: 'pingcap/pd:v8.1.1',
        cpu: '1',
        memory: '2Gi',
        createdAt: at(100),
        nodeSelector: ssd,
        annotations: FIXED,
        ...team('data'),
      },
    ],
  ];
  for (const [resource, w] of sts) objects.push(buildStatefulSet(resource, w));
  return {
    objects,
    networkMode: 'per-node',
    statefulsetLabelProtocol: true,
    gracePeriodScale: 0.1,
    settledAgoMs: 2 * DAY + 3 * 3_600_000,
    scenario(drivers, store) {
      const pick = (ns: string, prefix: string): string | undefined =>
        store
          .list('pods', { namespace: ns })
          .items.map((p) => p.metadata.name!)
          .find((n) => n.startsWith(prefix));
      const consumer = pick('orders', 'order-consumer-');
      if (consumer) drivers.oomKill('orders', consumer);
      const search = pick('search', 'search-api-');
      if (search) drivers.evictForMemoryPressure('search', search);
      drivers.settle();
    },
  };
}
