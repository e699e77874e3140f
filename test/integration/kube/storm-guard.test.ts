import { afterEach, describe, expect, it } from 'vitest';
import { createKube } from '../../../kube/runtime.ts';
import type { KubeRuntime, KubeRuntimeOptions } from '../../../kube/runtime.ts';
import { fastOptions, idle, sleep, smallCluster, startHarness, waitFor } from './harness.ts';
import type { Harness } from './harness.ts';

/** A logger that keeps the reconcilers' decisions, so a test can wait for "withheld". */
function decisionLog() {
  const withdrawn: string[] = [];
  const keep = (obj: object, msg?: string) => {
    if (msg?.startsWith('NotReady withdrawn')) withdrawn.push((obj as { node: string }).node);
  };
  return { withdrawn, logger: { debug: keep, info: keep, warn: keep, error: keep } };
}

const NODES = Array.from({ length: 12 }, (_, i) => `node-${i + 1}`);
const zonesOf = (names: string[]) => ({
  'zone-1': names.filter((n) => Number(n.slice(5)) % 2 === 0).length,
  'zone-2': names.filter((n) => Number(n.slice(5)) % 2 === 1).length,
});

describe('NotReady storm guard never leaks', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  async function start(storm: KubeRuntimeOptions['storm']) {
    const log = decisionLog();
    const fast = fastOptions(h.prefix);
    const kube: KubeRuntime = createKube({
      kubeConfig: h.kc,
      redis: h.redis,
      sink: h.sink,
      logger: log.logger,
      options: { ...fast, storm: { minShare: 0.3, minNodes: 3, windowMs: 120_000, ...storm } },
    });
    h.runtimes.push(kube);
    await kube.start();
    await kube.waitForSync();
    await idle(kube);
    return { kube, withdrawn: log.withdrawn };
  }

  it('12 of 16 nodes failing 2 s apart: no per-node alert, one storm alert updated to all 12 and their zones, one summary', async () => {
    h = await startHarness({}, { objects: smallCluster(16) });
    const { kube, withdrawn } = await start({ settleMs: 9_000 });
    for (const n of NODES) {
      h.sim.drivers.nodeNotReady(n, { graceMs: 600_000 });
      await sleep(2_000);
    }
    await waitFor(() => withdrawn.length >= 12, 'every held NotReady withdrawn', 15_000);
    await idle(kube, 300);
    expect(h.sink.named('KubeNodeNotReady')).toEqual([]);
    const storms = h.sink.named('KubeNodeNotReadyStorm');
    expect(new Set(storms.map((a) => a.fingerprint)).size).toBe(1);
    const last = storms.at(-1)!;
    expect(last.status).toBe('firing');
    expect(last.annotations.nodes_not_ready).toBe('12');
    for (const n of NODES) expect(last.annotations.nodes).toContain(n);
    const z = zonesOf(NODES);
    expect(last.annotations.zones).toBe(`zone-1 ${z['zone-1']}/8, zone-2 ${z['zone-2']}/8`);
    // 6 of 8 nodes down in each zone: partial disruption, the node controller slows evictions.
    expect(last.annotations.evictions).toBe('slowed');
    expect(last.annotations.runbook_id).toBe('node-notready-mass-eviction');
    expect(last.annotations.description).toContain('evictions');
    // Updated as nodes joined: one message per distinct count, growing.
    const counts = storms.map((a) => Number(a.annotations.nodes_not_ready));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts[0]).toBeGreaterThanOrEqual(5);

    for (const n of NODES) h.sim.drivers.nodeReady(n);
    const [summary] = await waitFor(() => h.sink.some('KubeNodeNotReadyStormSummary'), 'after-storm summary');
    await idle(kube, 300);
    expect(h.sink.named('KubeNodeNotReadyStormSummary')).toHaveLength(1);
    expect(summary!.labels.storm).toBe(last.labels.storm);
    expect(summary!.annotations.nodes).toContain('node-12');
    expect(summary!.annotations.pods_evicted).toBe('0');
    expect(h.sink.named('KubeNodeNotReadyStorm').at(-1)!.status).toBe('resolved');
    expect(h.sink.named('KubeNodeNotReady')).toEqual([]);
  }, 60_000);

  it('12 of 40 nodes failing at once, pods evicted: no per-node or per-pod notice, the summary says what moved', async () => {
    // 6 of 20 nodes per zone: no zone is disrupted enough for the node controller to slow evictions.
    h = await startHarness({}, { objects: smallCluster(40) });
    const { kube, withdrawn } = await start({ settleMs: 500, listNodes: 5 });
    const onDown = () => [...h.sim.store.scan('pods')].filter((p) => NODES.includes((p.spec as { nodeName?: string }).nodeName ?? ''));
    const before = onDown().length;
    expect(before).toBeGreaterThan(0);
    for (const n of NODES) h.sim.drivers.nodeNotReady(n, { graceMs: 400 });
    const storm = await waitFor(
      () => h.sink.named('KubeNodeNotReadyStorm').find((a) => a.annotations.nodes_not_ready === '12'),
      'storm alert naming all 12',
    );
    expect(storm.annotations.nodes).toMatch(/and 7 more$/);
    expect(storm.annotations.evictions).toBe('imminent');
    await waitFor(() => onDown().length === 0, 'taint-manager evictions done');
    await waitFor(() => withdrawn.length >= 12, 'every held NotReady withdrawn');
    await idle(kube, 300);
    for (const n of NODES) h.sim.drivers.nodeReady(n);
    const [summary] = await waitFor(() => h.sink.some('KubeNodeNotReadyStormSummary'), 'after-storm summary');
    await idle(kube, 300);
    expect(h.sink.named('KubeNodeNotReady')).toEqual([]);
    expect(h.sink.named('KubePodEvicted')).toEqual([]);
    expect(h.sink.named('KubePodMigrated')).toEqual([]);
    expect(Number(summary!.annotations.pods_evicted)).toBe(before);
    expect(Number(summary!.annotations.pods_rescheduled)).toBeGreaterThan(0);
    expect(Number(summary!.annotations.fixed_ip_kept) + Number(summary!.annotations.ip_changed)).toBe(
      Number(summary!.annotations.pods_rescheduled),
    );
    expect(summary!.endsAt).toBeDefined();
    expect(h.sink.named('KubeNodeNotReadyStormSummary')).toHaveLength(1);
  }, 30_000);
});
