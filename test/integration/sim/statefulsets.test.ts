import { AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStatefulSet, isoAgo } from '../../../sim/cluster-builders.ts';
import type { Sim } from '../../../sim/sim.ts';
import { startTestSim, tinyCluster, waitFor } from './sim-fixture.ts';

const base = { cpu: '100m', memory: '64Mi', createdAt: isoAgo(Date.now(), 3_600_000), image: 'db:1' };
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

async function start(labelProtocol: boolean): Promise<{ sim: Sim; kc: KubeConfig }> {
  const cluster = tinyCluster(3, [
    buildStatefulSet('statefulsets', { namespace: 'team-a', name: 'db', replicas: 4, ...base }),
    buildStatefulSet('statefulsets', { namespace: 'team-a', name: 'plain', replicas: 3, ...base, extra: { reserveOrdinals: [0] } }),
    buildStatefulSet('statefulsets.apps.kruise.io', { namespace: 'team-b', name: 'kafka', replicas: 3, ...base }),
    buildStatefulSet('statefulsets.apps.pingcap.com', { namespace: 'team-b', name: 'tikv', replicas: 3, ...base }),
  ]);
  return startTestSim({ statefulsetLabelProtocol: labelProtocol }, cluster);
}

/** Names of the live (not terminating) pods of a set, after the controllers have settled. */
function podsOf(sim: Sim, namespace: string, set: string): string[] {
  sim.drivers.settle();
  return sim.store
    .list('pods', { namespace })
    .items.filter((p) => p.metadata.name!.startsWith(`${set}-`) && !p.metadata.deletionTimestamp)
    .map((p) => p.metadata.name!)
    .sort();
}

const gone = (sim: Sim, namespace: string, name: string) => waitFor(() => !sim.store.get('pods', namespace, name), `${name} removed`);

describe('apps/v1 StatefulSet with the label protocol of a patched controller', () => {
  let sim: Sim;
  let kc: KubeConfig;
  beforeAll(async () => {
    ({ sim, kc } = await start(true));
  });
  afterAll(async () => {
    await sim.close();
  });

  it('removes the labelled ordinal for good instead of the highest one, across all four steps', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    expect(podsOf(sim, 'team-a', 'db')).toEqual(['db-0', 'db-1', 'db-2', 'db-3']);
    await core.patchNamespacedPod({ namespace: 'team-a', name: 'db-1', body: { metadata: { labels: { db: 'deleted' } } } }, merge);
    expect(podsOf(sim, 'team-a', 'db')).toEqual(['db-0', 'db-1', 'db-2', 'db-3']);
    await apps.patchNamespacedStatefulSet(
      { namespace: 'team-a', name: 'db', body: { metadata: { labels: { db: 'deleted' } }, spec: { replicas: 3 } } },
      merge,
    );
    expect(podsOf(sim, 'team-a', 'db')).toEqual(['db-0', 'db-1', 'db-2', 'db-3']);
    const marked = await apps.readNamespacedStatefulSet({ namespace: 'team-a', name: 'db' });
    expect(marked.metadata?.annotations?.['firstmate.io/deleted-ordinals']).toBe('[1]');
    await core.deleteNamespacedPod({ namespace: 'team-a', name: 'db-1' });
    await gone(sim, 'team-a', 'db-1');
    expect(podsOf(sim, 'team-a', 'db')).toEqual(['db-0', 'db-2', 'db-3']);
    await apps.patchNamespacedStatefulSet({ namespace: 'team-a', name: 'db', body: { metadata: { labels: { db: null } } } }, merge);
    expect(podsOf(sim, 'team-a', 'db')).toEqual(['db-0', 'db-2', 'db-3']);
    const after = await apps.readNamespacedStatefulSet({ namespace: 'team-a', name: 'db' });
    expect(after.metadata?.labels?.db).toBeUndefined();
    expect(after.status).toMatchObject({ replicas: 3, readyReplicas: 3 });

    await core.deleteNamespacedPod({ namespace: 'team-a', name: 'db-2' });
    await waitFor(
      // The name answers 404 for a moment between the old pod's removal and its replacement.
      async () => {
        const p = await core.readNamespacedPod({ namespace: 'team-a', name: 'db-2' }).catch(() => undefined);
        return p !== undefined && p.metadata?.deletionTimestamp === undefined;
      },
      'db-2 recreated',
    );
    expect(podsOf(sim, 'team-a', 'db')).toEqual(['db-0', 'db-2', 'db-3']);
    await apps.patchNamespacedStatefulSet({ namespace: 'team-a', name: 'db', body: { spec: { replicas: 4 } } }, merge);
    expect(podsOf(sim, 'team-a', 'db')).toEqual(['db-0', 'db-2', 'db-3', 'db-4']);
  });

  it('changes nothing for a pod label alone or the set label alone', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    await core.patchNamespacedPod({ namespace: 'team-a', name: 'db-0', body: { metadata: { labels: { db: 'deleted' } } } }, merge);
    await apps.patchNamespacedStatefulSet({ namespace: 'team-a', name: 'db', body: { spec: { replicas: 3 } } }, merge);
    await gone(sim, 'team-a', 'db-4');
    expect(podsOf(sim, 'team-a', 'db')).toEqual(['db-0', 'db-2', 'db-3']);
    await core.patchNamespacedPod({ namespace: 'team-a', name: 'db-0', body: { metadata: { labels: { db: null } } } }, merge);
    await apps.patchNamespacedStatefulSet({ namespace: 'team-a', name: 'db', body: { metadata: { labels: { db: 'deleted' } } } }, merge);
    expect(podsOf(sim, 'team-a', 'db')).toEqual(['db-0', 'db-2', 'db-3']);
    const set = await apps.readNamespacedStatefulSet({ namespace: 'team-a', name: 'db' });
    expect(set.metadata?.annotations?.['firstmate.io/deleted-ordinals']).toBe('[1]');
  });

  it('ignores Kruise reserveOrdinals on an apps/v1 StatefulSet', () => {
    expect(podsOf(sim, 'team-a', 'plain')).toEqual(['plain-0', 'plain-1', 'plain-2']);
  });
});

describe('StatefulSet controllers without the label protocol', () => {
  let sim: Sim;
  let kc: KubeConfig;
  beforeAll(async () => {
    ({ sim, kc } = await start(false));
  });
  afterAll(async () => {
    await sim.close();
  });

  it('apps/v1 scales in from the highest ordinal and recreates a deleted labelled pod', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    await core.patchNamespacedPod({ namespace: 'team-a', name: 'db-1', body: { metadata: { labels: { db: 'deleted' } } } }, merge);
    await apps.patchNamespacedStatefulSet(
      { namespace: 'team-a', name: 'db', body: { metadata: { labels: { db: 'deleted' } }, spec: { replicas: 3 } } },
      merge,
    );
    await gone(sim, 'team-a', 'db-3');
    const db1 = await core.readNamespacedPod({ namespace: 'team-a', name: 'db-1' });
    await core.deleteNamespacedPod({ namespace: 'team-a', name: 'db-1' });
    await waitFor(() => {
      const p = sim.store.get('pods', 'team-a', 'db-1');
      return p && p.metadata.uid !== db1.metadata?.uid;
    }, 'db-1 recreated');
    expect(podsOf(sim, 'team-a', 'db')).toEqual(['db-0', 'db-1', 'db-2']);
    const set = await apps.readNamespacedStatefulSet({ namespace: 'team-a', name: 'db' });
    expect(set.metadata?.annotations?.['firstmate.io/deleted-ordinals']).toBeUndefined();
  });

  it('Kruise skips reserveOrdinals (numbers and ranges) and PingCAP delete-slots with replicas − 1', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const patch = (group: string, version: string, name: string, body: object) =>
      custom.patchNamespacedCustomObject({ group, version, namespace: 'team-b', plural: 'statefulsets', name, body }, merge);
    await patch('apps.kruise.io', 'v1beta1', 'kafka', { spec: { reserveOrdinals: [1], replicas: 2 } });
    await gone(sim, 'team-b', 'kafka-1');
    expect(podsOf(sim, 'team-b', 'kafka')).toEqual(['kafka-0', 'kafka-2']);
    await patch('apps.kruise.io', 'v1beta1', 'kafka', { spec: { reserveOrdinals: ['0-1'], replicas: 2 } });
    await gone(sim, 'team-b', 'kafka-0');
    expect(podsOf(sim, 'team-b', 'kafka')).toEqual(['kafka-2', 'kafka-3']);
    await patch('apps.pingcap.com', 'v1', 'tikv', { metadata: { annotations: { 'delete-slots': '[1]' } }, spec: { replicas: 2 } });
    await gone(sim, 'team-b', 'tikv-1');
    expect(podsOf(sim, 'team-b', 'tikv')).toEqual(['tikv-0', 'tikv-2']);
  });
});
