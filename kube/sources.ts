/**
 * The six resources the cache watches, each as an informer source: watch path, paginated list
 * through the typed API clients, and the compaction that keeps only what firstmate reads.
 */
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { compactEvent, compactNode, compactPod, compactWorkload } from './compact.ts';
import type { InformerSource, ListPage } from './informer.ts';
import type { EventRecord, NodeRecord, PodRecord, WorkloadRecord } from './records.ts';

interface ListResult {
  items: unknown[];
  metadata?: { resourceVersion?: string; _continue?: string };
}

const page = (r: ListResult): ListPage => {
  const out: ListPage = { items: r.items, resourceVersion: r.metadata?.resourceVersion ?? '' };
  if (r.metadata?._continue) out.continueToken = r.metadata._continue;
  return out;
};

const params = (p: { limit: number; continueToken?: string }) => ({
  limit: p.limit,
  ...(p.continueToken ? { _continue: p.continueToken } : {}),
});

export interface KubeSources {
  nodes: InformerSource<NodeRecord>;
  pods: InformerSource<PodRecord>;
  events: InformerSource<EventRecord>;
  statefulsets: InformerSource<WorkloadRecord>;
  deployments: InformerSource<WorkloadRecord>;
  replicasets: InformerSource<WorkloadRecord>;
}

export function createSources(kc: KubeConfig): KubeSources {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  return {
    nodes: { name: 'nodes', path: '/api/v1/nodes', compact: compactNode, list: async (p) => page(await core.listNode(params(p))) },
    pods: {
      name: 'pods', path: '/api/v1/pods', compact: compactPod,
      list: async (p) => page(await core.listPodForAllNamespaces(params(p))),
    },
    events: {
      name: 'events', path: '/api/v1/events', compact: compactEvent,
      list: async (p) => page(await core.listEventForAllNamespaces(params(p))),
    },
    statefulsets: {
      name: 'statefulsets', path: '/apis/apps/v1/statefulsets', compact: (raw) => compactWorkload('StatefulSet', raw),
      list: async (p) => page(await apps.listStatefulSetForAllNamespaces(params(p))),
    },
    deployments: {
      name: 'deployments', path: '/apis/apps/v1/deployments', compact: (raw) => compactWorkload('Deployment', raw),
      list: async (p) => page(await apps.listDeploymentForAllNamespaces(params(p))),
    },
    replicasets: {
      name: 'replicasets', path: '/apis/apps/v1/replicasets', compact: (raw) => compactWorkload('ReplicaSet', raw),
      list: async (p) => page(await apps.listReplicaSetForAllNamespaces(params(p))),
    },
  };
}
