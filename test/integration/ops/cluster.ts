/**
 * The cluster the operation scenarios run on: 9 nodes in 3 zones, an apps/v1 StatefulSet
 * `shop/db`, an OpenKruise `data/kafka`, a PingCAP `data/tikv`, a Deployment `web/front` and
 * `kube-system/coredns`, all with short termination grace periods so deletions finish fast.
 */
import type { ClusterSpec } from '../../../sim/cluster-builders.ts';
import { buildDeployment, buildNamespace, buildNode, buildStatefulSet, isoAgo } from '../../../sim/cluster-builders.ts';
import type { KubeObject, Workload } from '../../../sim/types.ts';

const short = (w: Workload): Workload => {
  const spec = w.spec.template?.spec as { terminationGracePeriodSeconds?: number } | undefined;
  if (spec) spec.terminationGracePeriodSeconds = 1;
  return w;
};

export function opsCluster(): ClusterSpec {
  const now = Date.now();
  const created = isoAgo(now, 86_400_000 * 30);
  const objects: KubeObject[] = ['default', 'kube-system', 'shop', 'data', 'web'].map((ns) => buildNamespace(ns, created));
  for (let i = 1; i <= 9; i++) {
    objects.push(
      buildNode(
        {
          name: `node-${i}`,
          internalIp: `10.0.0.${10 + i}`,
          podCIDR: `10.244.${i}.0/24`,
          zone: `zone-${((i - 1) % 3) + 1}`,
          region: 'r1',
          diskType: 'ssd',
          cpu: 16,
          memoryGi: 64,
          kernelVersion: '6.8.0-49-generic',
          createdAt: created,
        },
        isoAgo(now, 5000),
      ),
    );
  }
  const w = { image: 'app:1', cpu: '100m', memory: '128Mi', createdAt: created };
  objects.push(short(buildStatefulSet('statefulsets', { ...w, namespace: 'shop', name: 'db', replicas: 3, owner: 'team-db' })));
  objects.push(short(buildStatefulSet('statefulsets.apps.kruise.io', { ...w, namespace: 'data', name: 'kafka', replicas: 3 })));
  objects.push(short(buildStatefulSet('statefulsets.apps.pingcap.com', { ...w, namespace: 'data', name: 'tikv', replicas: 3 })));
  objects.push(short(buildDeployment({ ...w, namespace: 'web', name: 'front', replicas: 3 })));
  objects.push(short(buildDeployment({ ...w, namespace: 'kube-system', name: 'coredns', replicas: 2 })));
  return { objects };
}

/** A pod with the given owner (or none) placed on a node; `mirror` makes it a static pod's mirror. */
export function extraPod(
  namespace: string,
  name: string,
  node: string,
  owner?: { apiVersion: string; kind: string; name: string; uid: string },
  mirror = false,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: { app: name },
      ...(owner ? { ownerReferences: [{ ...owner, controller: true, blockOwnerDeletion: true }] } : {}),
      ...(mirror ? { annotations: { 'kubernetes.io/config.mirror': 'abc', 'kubernetes.io/config.source': 'file' } } : {}),
    },
    spec: {
      nodeName: node,
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'c', image: 'x:1', resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
    },
  };
}
