/**
 * `firstmate demo`: the embedded mode for trying firstmate on one machine. Console chat, a private
 * `redis-server` when none answers, the simulated cluster of `sim/` with its demo nodes and pods,
 * the HTTP server on loopback only. Loaded by dynamic import, so production never loads `sim/`.
 */
import type { Config } from './config-schema.ts';
import { runFirstmate } from './run.ts';
import { buildKubeConfig } from '../kube/client.ts';
import { createDemoCluster } from '../sim/demo-cluster.ts';
import { startSim } from '../sim/sim.ts';

export async function runDemo(config: Config): Promise<void> {
  // The demo cluster stands for the platform whose patched StatefulSet controller honours the
  // four-step label protocol, so `delete-pod` can remove any apps/v1 StatefulSet instance there.
  const demo: Config = {
    ...config,
    server: { ...config.server, host: '127.0.0.1' },
    redis: { ...config.redis, embedded: true },
    ops: { ...config.ops, statefulsetLabelProtocol: true },
  };
  const sim = await startSim({ cluster: createDemoCluster() });
  await runFirstmate(demo, {
    mode: 'demo',
    deps: { cluster: { kubeConfig: buildKubeConfig({ url: sim.url }), origin: 'demo', close: () => sim.close() } },
  });
}
