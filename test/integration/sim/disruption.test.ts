import { CoreV1Api, PolicyV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeployment, buildStatefulSet, isoAgo } from '../../../sim/cluster-builders.ts';
import { evictPod } from '../../../sim/eviction.ts';
import type { Sim } from '../../../sim/sim.ts';
import { rejection, startTestSim, tinyCluster, waitFor } from './sim-fixture.ts';

let sim: Sim;
let kc: KubeConfig;
let core: CoreV1Api;
let policy: PolicyV1Api;

beforeAll(async () => {
  const base = { cpu: '100m', memory: '64Mi', createdAt: isoAgo(Date.now(), 3_600_000) };
  const cluster = tinyCluster(4, [
    buildDeployment({ namespace: 'team-a', name: 'api', replicas: 4, image: 'api:1', ...base }),
    buildStatefulSet('statefulsets', { namespace: 'team-b', name: 'db', replicas: 3, image: 'db:1', ...base }),
  ]);
  ({ sim, kc } = await startTestSim({}, cluster));
  core = kc.makeApiClient(CoreV1Api);
  policy = kc.makeApiClient(PolicyV1Api);
});
afterAll(async () => {
  await sim.close();
});

const budget = (namespace: string, name: string): Promise<V1PodDisruptionBudget> =>
  policy.readNamespacedPodDisruptionBudget({ namespace, name });

async function settledBudget(namespace: string, name: string, want: Record<string, number>): Promise<V1PodDisruptionBudget> {
  return waitFor(
    async () => {
      const pdb = await budget(namespace, name);
      const status = (pdb.status ?? {}) as unknown as Record<string, number>;
      return Object.entries(want).every(([k, v]) => status[k] === v) ? pdb : undefined;
    },
    `${namespace}/${name} status ${JSON.stringify(want)}`,
  );
}

const podsOf = async (namespace: string, selector: string) =>
  (await core.listNamespacedPod({ namespace, labelSelector: selector })).items.filter((p) => !p.metadata?.deletionTimestamp);

const evict = (namespace: string, name: string, extra: Record<string, unknown> = {}) =>
  core.createNamespacedPodEviction({ namespace, name, body: { metadata: { name, namespace }, ...extra } });

describe('PodDisruptionBudget status', () => {
  it('computes expected, desired and current healthy pods and disruptions allowed, and follows pod changes', async () => {
    await policy.createNamespacedPodDisruptionBudget({
      namespace: 'team-a',
      body: { metadata: { name: 'api' }, spec: { maxUnavailable: '25%', selector: { matchLabels: { app: 'api' } } } },
    });
    const pdb = await settledBudget('team-a', 'api', { expectedPods: 4, desiredHealthy: 3, currentHealthy: 4, disruptionsAllowed: 1 });
    expect(pdb.status?.observedGeneration).toBe(pdb.metadata?.generation);
    expect(pdb.status?.conditions?.[0]).toMatchObject({ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods' });
    const victim = (await podsOf('team-a', 'app=api'))[0]!;
    sim.drivers.oomKill('team-a', victim.metadata!.name!);
    sim.store.mutate(
      'pods',
      'team-a',
      victim.metadata!.name!,
      (o) => {
        for (const c of (o.status as { conditions: { type: string; status: string }[] }).conditions)
          if (c.type === 'Ready') c.status = 'False';
      },
      'status',
    );
    const blocked = await settledBudget('team-a', 'api', { currentHealthy: 3, disruptionsAllowed: 0 });
    expect(blocked.status?.conditions?.[0]).toMatchObject({ status: 'False', reason: 'InsufficientPods' });
    await core.deleteNamespacedPod({ namespace: 'team-a', name: victim.metadata!.name!, gracePeriodSeconds: 0 });
    await settledBudget('team-a', 'api', { currentHealthy: 4, disruptionsAllowed: 1 });
  });

  it('takes an eviction off the budget, refuses the next with 429 and allows again once the pod is replaced', async () => {
    await policy.createNamespacedPodDisruptionBudget({
      namespace: 'team-b',
      body: { metadata: { name: 'db' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'db' } } } },
    });
    await settledBudget('team-b', 'db', { expectedPods: 3, desiredHealthy: 2, currentHealthy: 3, disruptionsAllowed: 1 });
    await evict('team-b', 'db-0');
    const after = await budget('team-b', 'db');
    expect(after.status?.disruptionsAllowed).toBe(0);
    const refused = await rejection(evict('team-b', 'db-1'));
    expect(refused.code).toBe(429);
    expect(refused.body).toMatchObject({
      reason: 'TooManyRequests',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget db needs 2 healthy pods and has 2 currently' }] },
    });
    // Between the old pod's removal and its replacement the name answers 404.
    await waitFor(async () => {
      const p = await core.readNamespacedPod({ namespace: 'team-b', name: 'db-0' }).catch(() => undefined);
      return p && !p.metadata?.deletionTimestamp && p.status?.phase === 'Running' ? p : undefined;
    }, 'db-0 recreated');
    await settledBudget('team-b', 'db', { currentHealthy: 3, disruptionsAllowed: 1 });
    await evict('team-b', 'db-1');
  });

  it('answers 429 while a changed budget is not processed yet, and 500 for a pod under two budgets', async () => {
    await settledBudget('team-b', 'db', { currentHealthy: 3, disruptionsAllowed: 1 });
    sim.store.mutate('poddisruptionbudgets', 'team-b', 'db', (o) => {
      (o.spec as { minAvailable: number }).minAvailable = 1;
    });
    const pending = sim.store.get('poddisruptionbudgets', 'team-b', 'db')!;
    expect((pending.status as { observedGeneration: number }).observedGeneration).toBeLessThan(pending.metadata.generation!);
    expect(() => evictPod(sim.store, 'team-b', 'db-2')).toThrow(
      expect.objectContaining({
        code: 429,
        status: expect.objectContaining({
          details: {
            causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget db is still being processed by the server.' }],
          },
        }) as unknown,
      }),
    );
    await settledBudget('team-b', 'db', { desiredHealthy: 1, disruptionsAllowed: 2 });
    await policy.createNamespacedPodDisruptionBudget({
      namespace: 'team-b',
      body: { metadata: { name: 'everything' }, spec: { maxUnavailable: 1, selector: {} } },
    });
    const two = await rejection(evict('team-b', 'db-2'));
    expect(two.code).toBe(500);
    expect(two.body.message).toBe('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    await policy.deleteNamespacedPodDisruptionBudget({ namespace: 'team-b', name: 'everything' });
  });

  it('checks a dry-run eviction without using the budget or deleting the pod', async () => {
    const pdb = await settledBudget('team-b', 'db', { disruptionsAllowed: 2 });
    const rv = pdb.metadata!.resourceVersion;
    await evict('team-b', 'db-2', { deleteOptions: { dryRun: ['All'] } });
    await core.createNamespacedPodEviction({ namespace: 'team-b', name: 'db-2', body: { metadata: { name: 'db-2' } }, dryRun: 'All' });
    expect((await budget('team-b', 'db')).metadata?.resourceVersion).toBe(rv);
    expect((await core.readNamespacedPod({ namespace: 'team-b', name: 'db-2' })).metadata?.deletionTimestamp).toBeUndefined();
  });

  it('fails safe for pods whose controller has no scale (a DaemonSet)', async () => {
    const ds = sim.store.create('daemonsets', {
      metadata: { name: 'agent', namespace: 'team-a' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [] } } },
    });
    sim.store.create('pods', {
      metadata: {
        name: 'agent-x1',
        namespace: 'team-a',
        labels: { app: 'agent' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: ds.metadata.uid!, controller: true }],
      },
      spec: { nodeName: 'node-1', containers: [{ name: 'a', image: 'agent:1' }] },
    });
    await policy.createNamespacedPodDisruptionBudget({
      namespace: 'team-a',
      body: { metadata: { name: 'agent' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'agent' } } } },
    });
    const pdb = await waitFor(async () => {
      const b = await budget('team-a', 'agent');
      return b.status?.conditions?.[0]?.reason === 'SyncFailed' ? b : undefined;
    }, 'agent budget fails safe');
    expect(pdb.status?.disruptionsAllowed).toBe(0);
  });
});
