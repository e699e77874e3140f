/**
 * The resources the cache watches (nodes, pods, events, StatefulSets — Kruise and PingCAP ones only
 * where served —, Deployments, ReplicaSets, Jobs), each as an informer source: watch path, paginated raw
 * list (see `raw-list.ts`), and the compaction that keeps only what firstmate reads.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { compactEvent, compactNode, compactPod, compactWorkload } from './compact.ts';
import type { InformerSource } from './informer.ts';
import { createRawLister } from './raw-list.ts';
import type { EventRecord, NodeRecord, PodRecord, WorkloadRecord } from './records.ts';

export interface KubeSources {
  nodes: InformerSource<NodeRecord>;
  pods: InformerSource<PodRecord>;
  events: InformerSource<EventRecord>;
  statefulsets: InformerSource<WorkloadRecord>;
  deployments: InformerSource<WorkloadRecord>;
  replicasets: InformerSource<WorkloadRecord>;
  jobs: InformerSource<WorkloadRecord>;
  /** OpenKruise Advanced StatefulSets (optional: absent where the CRD is not installed). */
  kruiseStatefulsets: InformerSource<WorkloadRecord>;
  /** PingCAP Advanced StatefulSets (optional, likewise). */
  pingcapStatefulsets: InformerSource<WorkloadRecord>;
}

export function createSources(kc: KubeConfig): KubeSources {
  const list = createRawLister(kc);
  const source = <R extends { metadata: { name: string } }>(
    name: string,
    path: string,
    compact: (raw: unknown) => R,
  ): InformerSource<R> => ({ name, path, compact, list: (p) => list(path, p) });
  return {
    nodes: source('nodes', '/api/v1/nodes', compactNode),
    pods: source('pods', '/api/v1/pods', compactPod),
    events: source('events', '/api/v1/events', compactEvent),
    statefulsets: source('statefulsets', '/apis/apps/v1/statefulsets', (raw) => compactWorkload('StatefulSet', raw)),
    deployments: source('deployments', '/apis/apps/v1/deployments', (raw) => compactWorkload('Deployment', raw)),
    replicasets: source('replicasets', '/apis/apps/v1/replicasets', (raw) => compactWorkload('ReplicaSet', raw)),
    jobs: source('jobs', '/apis/batch/v1/jobs', (raw) => compactWorkload('Job', raw)),
    kruiseStatefulsets: {
      ...source('statefulsets.apps.kruise.io', '/apis/apps.kruise.io/v1beta1/statefulsets', (raw) =>
        compactWorkload('StatefulSet', raw, 'apps.kruise.io'),
      ),
      optional: true,
    },
    pingcapStatefulsets: {
      ...source('statefulsets.apps.pingcap.com', '/apis/apps.pingcap.com/v1/statefulsets', (raw) =>
        compactWorkload('StatefulSet', raw, 'apps.pingcap.com'),
      ),
      optional: true,
    },
  };
}
