/**
 * Serves a simulated cluster for people and scripts:
 *   tsx sim/main.ts [--demo | --nodes N --pods M] [--port P] [--kubeconfig FILE] [--seed S]
 * then `kubectl --kubeconfig FILE get pods -A`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { ClusterSpec } from './cluster-builders.ts';
import { createDemoCluster } from './demo-cluster.ts';
import { generateCluster } from './generate-cluster.ts';
import { startSim } from './sim.ts';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

const program = new Command()
  .name('kube-sim')
  .description('In-memory Kubernetes API server with a simulated cluster')
  .option('--demo', 'serve the demo cluster (default when no size is given)')
  .option('--nodes <n>', 'generate a cluster with this many nodes', positiveInt)
  .option('--pods <n>', 'and this many pods', positiveInt)
  .option('--port <port>', 'port on 127.0.0.1 (default: any free port)', positiveInt, 0)
  .option('--seed <seed>', 'random seed', positiveInt, 1)
  .option('--kubeconfig <file>', 'where to write the kubeconfig', '.firstmate/sim-kubeconfig.yaml')
  .option('--bookmark-interval <ms>', 'BOOKMARK interval on watches', positiveInt, 60_000);

async function main(): Promise<void> {
  program.parse();
  const opts = program.opts<{
    demo?: boolean;
    nodes?: number;
    pods?: number;
    port: number;
    seed: number;
    kubeconfig: string;
    bookmarkInterval: number;
  }>();
  let cluster: ClusterSpec;
  if (opts.nodes !== undefined && !opts.demo)
    cluster = generateCluster({ nodes: opts.nodes, pods: opts.pods ?? opts.nodes * 30, seed: opts.seed });
  else cluster = createDemoCluster({ seed: opts.seed });
  const sim = await startSim({ cluster, port: opts.port, seed: opts.seed, bookmarkIntervalMs: opts.bookmarkInterval });
  const file = resolve(opts.kubeconfig);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, sim.kubeConfigYaml(), { mode: 0o600 });
  const nodes = sim.store.list('nodes').items.length;
  const pods = sim.store.list('pods').items.length;
  console.log(`simulated cluster at ${sim.url}: ${nodes} nodes, ${pods} pods`);
  console.log(`kubeconfig: ${file}`);
  console.log(`try: kubectl --kubeconfig ${file} get pods -A`);
  const stop = (): void => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
