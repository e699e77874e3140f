import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStatefulSet, isoAgo } from '../../../sim/cluster-builders.ts';
import type { Sim } from '../../../sim/sim.ts';
import { podManifest, rejection, startTestSim, tinyCluster, waitFor } from './sim-fixture.ts';

let sim: Sim;
let kc: KubeConfig;
let core: CoreV1Api;

beforeAll(async () => {
  const cluster = tinyCluster(2, [
    buildStatefulSet('statefulsets', {
      namespace: 'team-a',
      name: 'db',
      replicas: 2,
      image: 'db:1',
      cpu: '100m',
      memory: '64Mi',
      createdAt: isoAgo(Date.now(), 3_600_000),
    }),
  ]);
  ({ sim, kc } = await startTestSim({}, cluster));
  core = kc.makeApiClient(CoreV1Api);
  await waitFor(
    () => (sim.store.get('statefulsets', 'team-a', 'db')?.status as { readyReplicas?: number } | undefined)?.readyReplicas === 2,
    'db ready',
  );
});
afterAll(async () => {
  await sim.close();
});

/** Runs a write and checks that nothing in the store changed. */
async function unchanged<T>(write: () => Promise<T>): Promise<T> {
  sim.drivers.settle();
  const before = sim.store.resourceVersion();
  const answer = await write();
  sim.drivers.settle();
  expect(sim.store.resourceVersion()).toBe(before);
  return answer;
}

describe('dryRun=All', () => {
  it('answers updates, status updates and deletes of a running pod as if done, changing nothing', async () => {
    const pod = await core.readNamespacedPod({ namespace: 'team-a', name: 'db-0' });
    const replaced = await unchanged(() =>
      core.replaceNamespacedPod({
        namespace: 'team-a',
        name: 'db-0',
        dryRun: 'All',
        body: { ...pod, metadata: { ...pod.metadata, labels: { ...pod.metadata?.labels, tier: 'gold' } } },
      }),
    );
    expect(replaced.metadata?.labels?.tier).toBe('gold');
    const status = await unchanged(() =>
      core.replaceNamespacedPodStatus({
        namespace: 'team-a',
        name: 'db-0',
        dryRun: 'All',
        body: { ...pod, status: { ...pod.status, phase: 'Failed' } },
      }),
    );
    expect(status.status?.phase).toBe('Failed');
    const deleted = await unchanged(() => core.deleteNamespacedPod({ namespace: 'team-a', name: 'db-0', dryRun: 'All' }));
    expect(deleted.metadata?.deletionTimestamp).toBeTruthy();
    expect(deleted.metadata?.deletionGracePeriodSeconds).toBe(30);
    await unchanged(() => core.deleteCollectionNamespacedPod({ namespace: 'team-a', dryRun: 'All' }));
    expect((await rejection(core.deleteNamespacedPod({ namespace: 'team-a', name: 'nope', dryRun: 'All' }))).code).toBe(404);
  });

  it('answers scale and binding writes without changing anything, and still validates them', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    const scaled = await unchanged(() =>
      apps.patchNamespacedStatefulSetScale(
        { namespace: 'team-a', name: 'db', dryRun: 'All', body: { spec: { replicas: 1 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(scaled.spec?.replicas).toBe(1);
    const current = await apps.readNamespacedStatefulSetScale({ namespace: 'team-a', name: 'db' });
    expect(current.spec?.replicas).toBe(2);
    await unchanged(() =>
      apps.replaceNamespacedStatefulSetScale({
        namespace: 'team-a',
        name: 'db',
        dryRun: 'All',
        body: { ...current, spec: { replicas: 5 } },
      }),
    );
    const stale = await rejection(
      apps.replaceNamespacedStatefulSetScale({
        namespace: 'team-a',
        name: 'db',
        dryRun: 'All',
        body: { ...current, metadata: { ...current.metadata, resourceVersion: '1' }, spec: { replicas: 5 } },
      }),
    );
    expect(stale.code).toBe(409);
    await core.createNamespacedPod({
      namespace: 'team-a',
      body: podManifest('unbound', {}, { spec: { nodeSelector: { absent: 'yes' }, containers: [{ name: 'c', image: 'x' }] } }) as V1Pod,
    });
    const bound = await unchanged(() =>
      fetch(`${sim.url}/api/v1/namespaces/team-a/pods/unbound/binding?dryRun=All`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ metadata: { name: 'unbound' }, target: { kind: 'Node', name: 'node-1' } }),
      }),
    );
    expect(bound.status).toBe(201);
    expect((sim.store.get('pods', 'team-a', 'unbound')!.spec as { nodeName?: string }).nodeName).toBeUndefined();
    expect(
      (await rejection(core.createNamespacedPod({ namespace: 'team-a', dryRun: 'All', body: { metadata: { name: 'x' } } as V1Pod }))).code,
    ).toBe(422);
  });
});
