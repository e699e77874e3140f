import { afterEach, describe, expect, it } from 'vitest';
import { startSim } from '../../../sim/sim.ts';
import type { Sim, SimOptions } from '../../../sim/sim.ts';
import type { Node, Pod } from '../../../sim/types.ts';
import { smallCluster } from '../kube/harness.ts';
import { sleep, waitFor } from '../../helpers/wait.ts';

const noExecuteAt = (sim: Sim, name: string): number | undefined => {
  const n = sim.store.peek('nodes', undefined, name) as Node;
  const t = n.spec?.taints?.find((x) => x.effect === 'NoExecute');
  return t ? Date.now() : undefined;
};
const ready = (sim: Sim, name: string) =>
  (sim.store.peek('nodes', undefined, name) as Node).status?.conditions?.find((c) => c.type === 'Ready')?.status;
const podsOn = (sim: Sim, names: string[]) =>
  [...sim.store.scan('pods')].filter((p) => names.includes((p as Pod).spec.nodeName ?? '')).length;

/** smallCluster puts odd nodes in zone-2 and even ones in zone-1. */
describe('simulated node lifecycle controller', () => {
  let sim: Sim;
  afterEach(async () => {
    await sim?.close();
  });
  const start = async (nodes: number, opts: SimOptions['nodeLifecycle']) => {
    sim = await startSim({ cluster: { objects: smallCluster(nodes) }, nodeLifecycle: opts });
  };

  it('stops evictions when every zone is fully disrupted, and resumes them when one zone recovers', async () => {
    await start(4, {});
    const all = ['node-1', 'node-2', 'node-3', 'node-4'];
    for (const n of all) sim.drivers.nodeNotReady(n, { graceMs: 100 });
    await waitFor(() => [...sim.drivers.zoneStates().values()].every((s) => s === 'full'), 'all zones fully disrupted');
    await sleep(600);
    expect(all.map((n) => noExecuteAt(sim, n))).toEqual([undefined, undefined, undefined, undefined]);
    expect(podsOn(sim, all)).toBeGreaterThan(0);
    sim.drivers.nodeReady('node-2');
    sim.drivers.nodeReady('node-4');
    await waitFor(() => noExecuteAt(sim, 'node-1') && noExecuteAt(sim, 'node-3'), 'zone-2 nodes tainted NoExecute once zone-1 is back');
    await waitFor(() => podsOn(sim, ['node-1', 'node-3']) === 0, 'zone-2 pods evicted');
  });

  it('stops evictions in a partially disrupted zone of a small cluster, slows them in a large one', async () => {
    await start(8, {});
    const zone2 = ['node-1', 'node-3', 'node-5'];
    for (const n of zone2) sim.drivers.nodeNotReady(n, { graceMs: 100 });
    await waitFor(() => sim.drivers.zoneStates().get('zone-2') === 'partial', 'zone-2 partially disrupted');
    await sleep(600);
    expect(zone2.map((n) => noExecuteAt(sim, n))).toEqual([undefined, undefined, undefined]);
    await sim.close();

    await start(8, { largeClusterSize: 4, secondaryEvictionRate: 4 });
    const seen = new Map<string, number>();
    for (const n of zone2) sim.drivers.nodeNotReady(n, { graceMs: 100 });
    await waitFor(() => {
      for (const n of zone2) if (!seen.has(n) && noExecuteAt(sim, n)) seen.set(n, Date.now());
      return seen.size === 3;
    }, 'every zone-2 node tainted at the secondary rate');
    const times = [...seen.values()].sort((a, b) => a - b);
    expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(400);
  });

  it('taints a healthy zone at the primary rate', async () => {
    await start(8, { evictionRate: 5 });
    const seen = new Map<string, number>();
    for (const n of ['node-1', 'node-3']) sim.drivers.nodeNotReady(n, { graceMs: 60_000 });
    await waitFor(() => {
      for (const n of ['node-1', 'node-3']) if (!seen.has(n) && noExecuteAt(sim, n)) seen.set(n, Date.now());
      return seen.size === 2;
    }, 'both tainted');
    const [a, b] = [...seen.values()].sort((x, y) => x - y);
    expect(b! - a!).toBeGreaterThanOrEqual(150);
  });

  it('nodes heartbeat through Leases; a partition makes them NotReady once the leases expire, healing makes them Ready', async () => {
    await start(4, { leases: { renewMs: 100, graceMs: 500, monitorMs: 50 } });
    const lease = sim.store.peek('leases', 'kube-node-lease', 'node-1');
    expect(lease?.spec).toMatchObject({ holderIdentity: 'node-1' });
    const renewed = (lease?.spec as { renewTime: string }).renewTime;
    await waitFor(
      () => (sim.store.peek('leases', 'kube-node-lease', 'node-1')?.spec as { renewTime: string }).renewTime !== renewed,
      'lease renewed',
    );
    const cutAt = Date.now();
    sim.drivers.partition(['node-1', 'node-2']);
    await waitFor(() => ready(sim, 'node-1') === 'Unknown' && ready(sim, 'node-2') === 'Unknown', 'partitioned nodes NotReady');
    expect(Date.now() - cutAt).toBeGreaterThanOrEqual(400);
    expect(ready(sim, 'node-3')).toBe('True');
    expect(sim.drivers.heal()).toEqual(['node-1', 'node-2']);
    await waitFor(() => ready(sim, 'node-1') === 'True' && ready(sim, 'node-2') === 'True', 'healed nodes Ready');
  });
});
