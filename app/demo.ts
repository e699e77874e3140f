/**
 * `firstmate demo`: the embedded mode for trying firstmate on one machine. Console chat, a private
 * `redis-server` when none answers, the simulated cluster of `sim/` with its demo nodes and pods,
 * the HTTP server on loopback only, the API and intake open (see `demoConfig`). Loaded by dynamic import, so production never loads `sim/`.
 */
import type { Config } from './config-schema.ts';
import { runFirstmate } from './run.ts';
import { demoConfig } from './security.ts';
import { buildKubeConfig } from '../kube/client.ts';
import { createDemoCluster } from '../sim/demo-cluster.ts';
import { startSim } from '../sim/sim.ts';

export async function runDemo(config: Config): Promise<void> {
  const demo: Config = demoConfig(config);
  const sim = await startSim({ cluster: createDemoCluster() });
  await runFirstmate(demo, {
    mode: 'demo',
    deps: { cluster: { kubeConfig: buildKubeConfig({ url: sim.url }), origin: 'demo', close: () => sim.close() } },
  });
}
