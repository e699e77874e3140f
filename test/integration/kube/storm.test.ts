import { afterEach, describe, expect, it } from 'vitest';
import { idle, smallCluster, startHarness, waitFor } from './harness.ts';
import type { Harness } from './harness.ts';

describe('NotReady storm guard', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('one critical storm alert instead of per-node and per-pod noise; per-node alerts only for nodes still down after it', async () => {
    h = await startHarness({}, { objects: smallCluster(6) });
    const kube = await h.startKube({ storm: { minShare: 0.3, minNodes: 3, windowMs: 60_000 } });
    await idle(kube);
    const down = ['node-1', 'node-2', 'node-3'];
    const onDown = () =>
      [...h.sim.store.scan('pods')].filter((p) => down.includes((p.spec as { nodeName?: string }).nodeName ?? '')).length;
    expect(onDown()).toBeGreaterThan(0);
    for (const n of down) h.sim.drivers.nodeNotReady(n, { graceMs: 300 });

    const [storm] = await waitFor(() => h.sink.some('KubeNodeNotReadyStorm'), 'storm alert');
    expect(storm!.severity).toBe('critical');
    expect(storm!.labels.storm).toMatch(/^storm-\d+$/);
    expect(storm!.annotations.summary).toContain('3 of 6 nodes');
    expect(storm!.annotations.summary).toContain('evictions are imminent');
    expect(kube.storm().active).toBe(true);

    await waitFor(() => onDown() === 0, 'taint-manager evictions done');
    await idle(kube, 300);
    expect(h.sink.named('KubePodEvicted')).toEqual([]);
    expect(h.sink.named('KubePodMigrated')).toEqual([]);
    const early = h.sink.named('KubeNodeNotReady').map((a) => a.labels.node);
    expect(early).toEqual([]);

    h.sim.drivers.nodeReady('node-1');
    h.sim.drivers.nodeReady('node-2');
    await waitFor(() => h.sink.named('KubeNodeNotReadyStorm').find((a) => a.status === 'resolved'), 'storm resolved');
    await waitFor(
      () => h.sink.named('KubeNodeNotReady').some((a) => a.labels.node === 'node-3' && a.status === 'firing'),
      'node-3 reported once the storm is over',
    );
    h.sim.drivers.nodeReady('node-3');
    await waitFor(
      () => h.sink.named('KubeNodeNotReady').some((a) => a.labels.node === 'node-3' && a.status === 'resolved'),
      'node-3 resolved',
    );
    await idle(kube, 300);
    const storms = h.sink.named('KubeNodeNotReadyStorm');
    expect(storms.map((a) => a.status)).toEqual(['firing', 'resolved']);
    expect(storms[0]!.fingerprint).toBe(storms[1]!.fingerprint);
    const perNode = h.sink.named('KubeNodeNotReady');
    expect(perNode.filter((a) => a.status === 'firing')).toHaveLength(perNode.filter((a) => a.status === 'resolved').length);
    expect(h.sink.named('KubePodEvicted')).toEqual([]);
    expect(h.sink.named('KubePodMigrated')).toEqual([]);
  });
});
