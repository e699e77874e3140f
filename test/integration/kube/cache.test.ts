import { afterEach, describe, expect, it } from 'vitest';
import { buildKubeConfig } from '../../../kube/client.ts';
import { KubeCache } from '../../../kube/cache.ts';
import { startHarness, waitFor } from './harness.ts';
import type { Harness } from './harness.ts';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('KubeCache against the simulated cluster', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('syncs every resource and indexes pods by IP, node, owner and workload, nodes by address', async () => {
    h = await startHarness();
    const cache = new KubeCache({ kubeConfig: buildKubeConfig({ url: h.sim.url }), logger: silent, pageSize: 2 });
    expect(cache.synced()).toBe(false);
    cache.start();
    await cache.waitForSync();
    expect(cache.synced()).toBe(true);
    expect(cache.nodeCount).toBe(4);
    expect(cache.podCount).toBe(5);

    const node = cache.nodesByAddr('10.0.0.12')[0];
    expect(node?.metadata.name).toBe('node-2');
    expect(cache.nodesByAddr('node-3')[0]?.metadata.name).toBe('node-3');
    expect(node?.allocatable.cpuMillis).toBe(7500);

    const db0 = cache.pod('shop', 'db-0');
    expect(db0?.podIP).toBeTruthy();
    expect(cache.podsWithIP(db0!.podIP)[0]?.metadata.name).toBe('db-0');
    expect(cache.podsOnNode(db0!.nodeName)).toContain(db0);
    expect(cache.workloadOf(db0!)).toMatchObject({ kind: 'StatefulSet', name: 'db' });
    expect(
      cache
        .podsOfWorkload('StatefulSet', 'shop', 'db')
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(['db-0', 'db-1', 'db-2']);

    const front = [...cache.pods()].find((p) => p.metadata.namespace === 'web')!;
    expect(front.owner?.kind).toBe('ReplicaSet');
    const w = cache.workloadOf(front);
    expect(w).toMatchObject({ kind: 'Deployment', name: 'front' });
    expect(w?.record?.annotations?.['firstmate.io/owner']).toBe('team-web');
    expect(cache.podsOfWorkload('Deployment', 'web', 'front')).toHaveLength(2);

    h.sim.store.delete('pods', 'shop', 'db-1');
    await waitFor(
      () =>
        cache.pod('shop', 'db-1') &&
        cache.pod('shop', 'db-1')!.metadata.uid !== '' &&
        cache.podsOfWorkload('StatefulSet', 'shop', 'db').length === 3 &&
        cache.deletedPod('shop', 'db-1'),
      'db-1 recreated',
    );
    expect(cache.deletedPod('shop', 'db-1')?.deletedAt).toBeGreaterThan(0);
    await cache.stop();
  });

  it('restarts informers after server errors and watch drops, and catches up on what changed meanwhile', async () => {
    h = await startHarness();
    const cache = new KubeCache({ kubeConfig: h.kc, logger: silent, backoff: { baseMs: 30, maxMs: 200 } });
    cache.start();
    await cache.waitForSync();

    const oldUid = cache.pod('shop', 'db-0')!.metadata.uid;
    const stop = h.sim.faults.failRequests({ status: 500, path: /\/pods/ });
    expect(h.sim.faults.closeWatches()).toBeGreaterThan(0);
    h.sim.drivers.nodeNotReady('node-4', { graceMs: 60_000 });
    h.sim.store.delete('pods', 'shop', 'db-0');
    await waitFor(() => cache.restarts().pods! >= 2, 'pods informer restarted at least twice');
    expect(cache.pod('shop', 'db-0')?.metadata.uid).toBe(oldUid);
    stop();
    await waitFor(() => {
      const n = cache.node('node-4');
      const uid = cache.pod('shop', 'db-0')?.metadata.uid;
      return n?.conditions.find((c) => c.type === 'Ready')?.status === 'Unknown' && uid && uid !== oldUid;
    }, 'changes made during the outage seen after the restart');
    expect(cache.podCount).toBe(5);
    expect(cache.synced()).toBe(true);
    await cache.stop();
  });

  it('stays not synced while the API server fails, and syncs once it answers', async () => {
    h = await startHarness();
    const stop = h.sim.faults.failRequests({ status: 503 });
    const cache = new KubeCache({ kubeConfig: h.kc, logger: silent, backoff: { baseMs: 20, maxMs: 100 } });
    cache.start();
    await waitFor(() => Object.values(cache.restarts()).every((n) => n >= 1), 'every informer retried');
    expect(cache.synced()).toBe(false);
    stop();
    await cache.waitForSync();
    expect(cache.podCount).toBe(5);
    await cache.stop();
  });
});
