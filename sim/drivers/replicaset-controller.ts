/**
 * ReplicaSet and Deployment controllers. A ReplicaSet keeps `replicas` active pods named
 * `<rs>-<random>` (a replaced pod gets a new name and wherever the scheduler puts it); failed
 * pods stay until deleted but no longer count. A Deployment owns one ReplicaSet per template
 * (`<deploy>-<pod-template-hash>`), scales the current one to `replicas` and older ones to 0.
 * On scale-in it removes pods in the real controller's order (pod-deletion-rank.ts).
 * Input: `ns/name`. Idempotent: no writes when the world already matches.
 */
import { terminatePod } from '../deletion.ts';
import type { Store } from '../store.ts';
import type { Pod, Workload } from '../types.ts';
import type { RecordEvent } from './events.ts';
import { rankForDeletion } from './pod-deletion-rank.ts';
import type { PodIndexes } from './indexes.ts';
import { isActive, isReady, ownerRef, podFromTemplate, templateHash } from './pod-template.ts';

/** The status a ReplicaSet has with these owned pods. */
export function replicaSetStatus(rs: Workload, pods: Pod[]): Record<string, unknown> {
  const active = pods.filter(isActive);
  const ready = active.filter(isReady).length;
  return {
    replicas: active.length,
    fullyLabeledReplicas: active.length,
    readyReplicas: ready,
    availableReplicas: ready,
    observedGeneration: rs.metadata.generation ?? 1,
  };
}

/** The ReplicaSet a Deployment's current template maps to (not yet stored). */
export function replicaSetFor(deploy: Workload): Workload {
  const hash = templateHash(deploy.spec.template);
  const template = structuredClone(deploy.spec.template);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash } };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${deploy.metadata.name}-${hash}`,
      namespace: deploy.metadata.namespace,
      labels: { ...(template.metadata.labels ?? {}) },
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(deploy.spec.replicas ?? 1),
        'deployment.kubernetes.io/revision': '1',
        ...pick(deploy.metadata.annotations, 'firstmate.io/'),
      },
      ownerReferences: [ownerRef(deploy)],
    },
    spec: {
      replicas: deploy.spec.replicas ?? 1,
      selector: { matchLabels: { ...(deploy.spec.selector?.matchLabels ?? {}), 'pod-template-hash': hash } },
      template,
    },
  };
}

/** The status a Deployment has with these owned ReplicaSets. */
export function deploymentStatus(deploy: Workload, sets: Workload[]): Record<string, unknown> {
  const current = `${deploy.metadata.name}-${templateHash(deploy.spec.template)}`;
  const sum = (field: string): number =>
    sets.reduce((acc, rs) => acc + Number((rs.status as Record<string, unknown> | undefined)?.[field] ?? 0), 0);
  const updated = sets.find((rs) => rs.metadata.name === current);
  return {
    observedGeneration: deploy.metadata.generation ?? 1,
    replicas: sum('replicas'),
    updatedReplicas: Number((updated?.status as Record<string, unknown> | undefined)?.replicas ?? 0),
    readyReplicas: sum('readyReplicas'),
    availableReplicas: sum('availableReplicas'),
  };
}

function pick(annotations: Record<string, string> | undefined, prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations ?? {}).filter(([k]) => k.startsWith(prefix)));
}

export function createReplicaSetController(store: Store, indexes: PodIndexes, record: RecordEvent) {
  const ownedPods = (rs: Workload): Pod[] =>
    indexes
      .ownedBy(rs.metadata.uid!)
      .map((k) => store.peek('pods', rs.metadata.namespace, k.slice(k.indexOf('/') + 1)) as Pod | undefined)
      .filter((p): p is Pod => p !== undefined);

  return {
    reconcileReplicaSet(namespace: string, name: string): void {
      const rs = store.peek('replicasets', namespace, name) as Workload | undefined;
      if (!rs) return;
      const active = ownedPods(rs).filter(isActive);
      const want = rs.spec.replicas ?? 1;
      for (let i = active.length; i < want; i++) {
        const pod = store.create('pods', podFromTemplate(rs, { generateName: `${name}-` }));
        record({
          involved: rs,
          reason: 'SuccessfulCreate',
          message: `Created pod: ${pod.metadata.name}`,
          type: 'Normal',
          component: 'replicaset-controller',
        });
      }
      if (active.length > want) {
        const victims = rankForDeletion(active);
        for (const pod of victims.slice(0, active.length - want)) {
          terminatePod(store, pod);
          record({
            involved: rs,
            reason: 'SuccessfulDelete',
            message: `Deleted pod: ${pod.metadata.name}`,
            type: 'Normal',
            component: 'replicaset-controller',
          });
        }
      }
      const status = replicaSetStatus(rs, ownedPods(rs));
      if (JSON.stringify(status) !== JSON.stringify(rs.status)) {
        store.mutate(
          'replicasets',
          namespace,
          name,
          (o) => {
            o.status = status;
          },
          'status',
        );
      }
    },
    reconcileDeployment(namespace: string, name: string): void {
      const deploy = store.peek('deployments', namespace, name) as Workload | undefined;
      if (!deploy) return;
      const wanted = replicaSetFor(deploy);
      const ownedSets = (): Workload[] =>
        indexes
          .replicaSetsOwnedBy(deploy.metadata.uid!)
          .map((k) => store.peek('replicasets', namespace, k.slice(k.indexOf('/') + 1)) as Workload | undefined)
          .filter((r): r is Workload => r !== undefined);
      const owned = ownedSets();
      const current = owned.find((rs) => rs.metadata.name === wanted.metadata.name);
      const replicas = deploy.spec.replicas ?? 1;
      if (!current) {
        store.create('replicasets', wanted);
        record({
          involved: deploy,
          reason: 'ScalingReplicaSet',
          message: `Scaled up replica set ${wanted.metadata.name} to ${replicas}`,
          type: 'Normal',
          component: 'deployment-controller',
        });
      } else if (current.spec.replicas !== replicas) {
        store.mutate('replicasets', namespace, current.metadata.name!, (o) => {
          (o as Workload).spec.replicas = replicas;
        });
        record({
          involved: deploy,
          reason: 'ScalingReplicaSet',
          message: `Scaled ${(current.spec.replicas ?? 0) < replicas ? 'up' : 'down'} replica set ${current.metadata.name} to ${replicas}`,
          type: 'Normal',
          component: 'deployment-controller',
        });
      }
      for (const old of owned) {
        if (old.metadata.name === wanted.metadata.name || (old.spec.replicas ?? 0) === 0) continue;
        store.mutate('replicasets', namespace, old.metadata.name!, (o) => {
          (o as Workload).spec.replicas = 0;
        });
        record({
          involved: deploy,
          reason: 'ScalingReplicaSet',
          message: `Scaled down replica set ${old.metadata.name} to 0`,
          type: 'Normal',
          component: 'deployment-controller',
        });
      }
      const status = deploymentStatus(deploy, ownedSets());
      if (JSON.stringify(status) !== JSON.stringify(deploy.status)) {
        store.mutate(
          'deployments',
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
