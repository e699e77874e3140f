/**
 * Large synthetic clusters for benchmarks: `generateCluster({ nodes: 5000, pods: 150000 })` builds
 * nodes, namespaces, Deployments with their ReplicaSets and StatefulSets with every pod already
 * bound and Running (statuses precomputed exactly as the controllers would write them, so loading
 * it triggers no writes). Node `i` (0-based) is `node-0000i` with InternalIP 10.0.0.11 + i and pod
 * CIDR 10.64.0.0/24 + i; builds in a few seconds for 150k pods.
 */
import { buildDeployment, buildNamespace, buildNode, buildStatefulSet, isoAgo } from './cluster-builders.ts';
import type { ClusterSpec } from './cluster-builders.ts';
import { runningPodStatus } from './drivers/kubelet.ts';
import { podFromTemplate } from './drivers/pod-template.ts';
import { deploymentStatus, replicaSetFor, replicaSetStatus } from './drivers/replicaset-controller.ts';
import { statefulSetPod, statefulSetStatus } from './drivers/statefulset-controller.ts';
import { createRandom } from './random.ts';
import type { KubeObject, Node, Pod, Workload } from './types.ts';

export interface GenerateOptions {
  nodes: number;
  pods: number;
  seed?: number;
  /** Namespaces the workloads spread over (default 20). */
  namespaces?: number;
  /** Pods per workload (default 10). */
  podsPerWorkload?: number;
  /** Every n-th workload is a StatefulSet (default 5). */
  statefulSetEvery?: number;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function generateCluster(options: GenerateOptions): ClusterSpec {
  const random = createRandom(options.seed ?? 7);
  const now = Date.now();
  const created = isoAgo(now, 30 * 86_400_000);
  const heartbeat = isoAgo(now, 10_000);
  const nsCount = Math.max(1, options.namespaces ?? 20);
  const perWorkload = Math.max(1, options.podsPerWorkload ?? 10);
  const stsEvery = Math.max(1, options.statefulSetEvery ?? 5);
  const maxPerNode = 250;
  if (options.pods > options.nodes * maxPerNode)
    throw new RangeError(`${options.pods} pods do not fit on ${options.nodes} nodes (${maxPerNode} IPs each)`);
  const objects: KubeObject[] = [];
  for (let n = 0; n < nsCount; n++) objects.push(buildNamespace(`ns-${n}`, created));
  const nodes: Node[] = [];
  const ipBase = ipToInt('10.0.0.11');
  const cidrBase = ipToInt('10.64.0.0');
  for (let i = 0; i < options.nodes; i++) {
    nodes.push(
      buildNode(
        {
          name: `node-${String(i).padStart(5, '0')}`,
          internalIp: intToIp(ipBase + i),
          podCIDR: `${intToIp(cidrBase + i * 256)}/24`,
          zone: ['zone-a', 'zone-b', 'zone-c'][i % 3]!,
          region: 'region-1',
          diskType: i % 3 === 2 ? 'hdd' : 'ssd',
          cpu: 64,
          memoryGi: 256,
          kernelVersion: '5.15.0-126-generic',
          createdAt: created,
        },
        heartbeat,
      ),
    );
  }
  objects.push(...nodes);
  const nextIp = new Array<number>(nodes.length).fill(2);
  const podCount = new Array<number>(nodes.length).fill(0);
  const containerId = (): string => `containerd://${random.hex(64)}`;
  let shared: NonNullable<Pod['status']>['conditions'];
  const place = (pod: Pod, start: number, k: number): void => {
    let idx = (start + k) % nodes.length;
    while (podCount[idx]! >= maxPerNode) idx = (idx + 1) % nodes.length;
    podCount[idx]!++;
    const node = nodes[idx]!;
    pod.spec.nodeName = node.metadata.name;
    pod.metadata.creationTimestamp = created;
    pod.status = runningPodStatus(
      pod,
      node.status.addresses![0]!.address,
      intToIp(cidrBase + idx * 256 + nextIp[idx]!++),
      created,
      containerId,
    );
    shared ??= pod.status.conditions;
    pod.status.conditions = shared;
  };
  let remaining = options.pods;
  for (let w = 0; remaining > 0; w++) {
    const size = Math.min(perWorkload, remaining);
    remaining -= size;
    const input = {
      namespace: `ns-${w % nsCount}`,
      name: `app-${w}`,
      replicas: size,
      image: `registry.example.com/app-${w % 50}:1.0.${w % 7}`,
      cpu: '100m',
      memory: '128Mi',
      createdAt: created,
    };
    const start = random.int(nodes.length);
    const pods: Pod[] = [];
    if (w % stsEvery === stsEvery - 1) {
      const sts = buildStatefulSet('statefulsets', input);
      sts.metadata.uid = random.uuid();
      for (let k = 0; k < size; k++) {
        const pod = statefulSetPod(sts, k, true);
        place(pod, start, k);
        pods.push(pod);
      }
      sts.status = statefulSetStatus(sts, pods);
      objects.push(sts);
    } else {
      const deploy = buildDeployment(input);
      deploy.metadata.uid = random.uuid();
      const rs: Workload = replicaSetFor(deploy);
      rs.metadata.uid = random.uuid();
      rs.metadata.creationTimestamp = created;
      const names = new Set<string>();
      for (let k = 0; k < size; k++) {
        let name: string;
        do name = `${rs.metadata.name}-${random.suffix(5)}`;
        while (names.has(name));
        names.add(name);
        const pod = podFromTemplate(rs, { name }, true);
        place(pod, start, k);
        pods.push(pod);
      }
      rs.status = replicaSetStatus(rs, pods);
      deploy.status = deploymentStatus(deploy, [rs]);
      objects.push(deploy, rs);
    }
    objects.push(...pods);
  }
  return { objects, networkMode: 'per-node' };
}
