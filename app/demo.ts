/**
 * `firstmate demo`: the embedded mode for trying firstmate on one machine. Console chat, a private
 * `redis-server` when none answers, the simulated cluster of `sim/` with its demo nodes and pods,
 * the HTTP server on loopback only, the API and intake open (see `demoConfig`), and the `demo …`
 * chat commands driving the simulated cluster's scenarios. Loaded by dynamic import, so production
 * never loads `sim/`.
 */
import type { Config } from './config-schema.ts';
import { runFirstmate } from './run.ts';
import { demoConfig } from './security.ts';
import { buildKubeConfig } from '../kube/client.ts';
import { createDemoCluster } from '../sim/demo-cluster.ts';
import { createDemoScenarios } from '../sim/demo-scenarios.ts';
import { startSim } from '../sim/sim.ts';

/** Shorter than Kubernetes' 300 s so a demo user sees pods move within a minute. */
const DEMO_EVICTION_GRACE_MS = 30_000;
/** How long a partitioned node still looks Ready (Kubernetes: 40 s). */
const DEMO_LEASE_GRACE_MS = 10_000;

export async function runDemo(config: Config): Promise<void> {
  // The demo cluster stands for the platform whose patched StatefulSet controller honours the
  // four-step label protocol, so `delete-pod` can remove any apps/v1 StatefulSet instance there.
  const open = demoConfig(config);
  const demo: Config = {
    ...open,
    // The storm alert's "evictions in …" follows the demo cluster's shorter grace.
    kube: { ...open.kube, storm: { ...open.kube.storm, evictionGraceMs: DEMO_EVICTION_GRACE_MS } },
    ops: { ...open.ops, statefulsetLabelProtocol: true },
  };
  const sim = await startSim({
    cluster: createDemoCluster(),
    podEvictionGraceMs: DEMO_EVICTION_GRACE_MS,
    // Kubernetes' own rates and thresholds, with heartbeats fast enough to see a split within a minute.
    nodeLifecycle: { evictionRate: 0.1, leases: { renewMs: 2_000, graceMs: DEMO_LEASE_GRACE_MS, monitorMs: 1_000 } },
  });
  await runFirstmate(demo, {
    mode: 'demo',
    deps: {
      cluster: { kubeConfig: buildKubeConfig({ url: sim.url }), origin: 'demo', close: () => sim.close() },
      demo: createDemoScenarios(sim, { evictionGraceMs: DEMO_EVICTION_GRACE_MS, leaseGraceMs: DEMO_LEASE_GRACE_MS }),
    },
  });
}
