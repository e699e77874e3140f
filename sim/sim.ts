/**
 * Entry point of the simulated cluster: an in-memory Kubernetes API server on loopback that the
 * unmodified `@kubernetes/client-node` (and kubectl) can talk to, with behaviour drivers and fault
 * injection for tests and the embedded demo.
 *
 *   const sim = await startSim({ cluster: createDemoCluster() });
 *   const kc = new KubeConfig(); kc.loadFromOptions(sim.kubeConfig());
 */
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import type { ClusterSpec } from './cluster-builders.ts';
import { createClock } from './clock.ts';
import { createDrivers } from './drivers/drivers.ts';
import type { Drivers } from './drivers/drivers.ts';
import type { NodeLifecycleOptions } from './drivers/node-lifecycle.ts';
import { createFaults } from './faults.ts';
import type { Faults } from './faults.ts';
import { createRandom } from './random.ts';
import { createSimServer } from './server.ts';
import { createStore } from './store.ts';
import type { Store } from './store.ts';

export interface SimOptions {
  /** Seed for uids, generated names and container ids (default 1). */
  seed?: number;
  /** Objects to start with (e.g. `createDemoCluster()` or `generateCluster(...)`). */
  cluster?: ClusterSpec;
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number;
  /** Interval of BOOKMARK events on watches that allow them (default 60 000). */
  bookmarkIntervalMs?: number;
  /** Changes kept per resource type for watch resumption (default 10 000). */
  historySize?: number;
  /** Server-side watch timeout when the client sends no `timeoutSeconds` (default 1800). */
  watchTimeoutSeconds?: number;
  /** Eviction grace for pods on an unreachable node (default 300 000 ms). */
  podEvictionGraceMs?: number;
  /** Default network mode of StatefulSet pods; overrides the cluster's. */
  networkMode?: 'per-node' | 'fixed-ip';
  /** Zone-aware eviction rate limiting and node leases (see `drivers/node-lifecycle.ts`). */
  nodeLifecycle?: NodeLifecycleOptions;
  /**
   * Wall-clock time per second of a pod's termination grace period: 1 is real time (a pod with
   * the default 30 s stays Terminating for 30 s), 0.01 makes that 300 ms. Overrides the cluster's
   * (default 1).
   */
  gracePeriodScale?: number;
  /** The apps/v1 StatefulSet controller honours the four-step label protocol of a patched controller; overrides the cluster's. */
  statefulsetLabelProtocol?: boolean;
}

/** The shape `KubeConfig.loadFromOptions` takes. */
export interface KubeConfigOptions {
  clusters: { name: string; server: string; skipTLSVerify: boolean }[];
  users: { name: string; token: string }[];
  contexts: { name: string; cluster: string; user: string; namespace: string }[];
  currentContext: string;
}

/** A running simulated cluster. */
export interface Sim {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  store: Store;
  drivers: Drivers;
  faults: Faults;
  /** For `new KubeConfig().loadFromOptions(...)`. */
  kubeConfig(): KubeConfigOptions;
  /** The same as a kubeconfig YAML document, for kubectl. */
  kubeConfigYaml(): string;
  close(): Promise<void>;
}

export async function startSim(options: SimOptions = {}): Promise<Sim> {
  const seed = options.seed ?? 1;
  const clock = createClock();
  const store = createStore({ seed, historySize: options.historySize, clock });
  if (options.cluster) store.load(options.cluster.objects);
  clock.setOffset(-(options.cluster?.settledAgoMs ?? 0));
  const drivers = createDrivers(store, {
    clock,
    random: createRandom(seed ^ 0x5eed),
    networkMode: options.networkMode ?? options.cluster?.networkMode,
    podEvictionGraceMs: options.podEvictionGraceMs,
    ...(options.nodeLifecycle ? { nodeLifecycle: options.nodeLifecycle } : {}),
    gracePeriodScale: options.gracePeriodScale ?? options.cluster?.gracePeriodScale,
    statefulsetLabelProtocol: options.statefulsetLabelProtocol ?? options.cluster?.statefulsetLabelProtocol,
    quietBootstrap: true,
  });
  clock.setOffset(0);
  options.cluster?.scenario?.(drivers, store);
  const faults = createFaults();
  const server = createSimServer(store, faults, {
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
    defaultTimeoutSeconds: options.watchTimeoutSeconds ?? 1800,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const kubeConfig = (): KubeConfigOptions => ({
    clusters: [{ name: 'firstmate-sim', server: url, skipTLSVerify: true }],
    users: [{ name: 'firstmate-sim', token: 'sim' }],
    contexts: [{ name: 'firstmate-sim', cluster: 'firstmate-sim', user: 'firstmate-sim', namespace: 'default' }],
    currentContext: 'firstmate-sim',
  });
  return {
    url,
    port,
    store,
    drivers,
    faults,
    kubeConfig,
    kubeConfigYaml: () =>
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'firstmate-sim', cluster: { server: url } }],
        users: [{ name: 'firstmate-sim', user: { token: 'sim' } }],
        contexts: [{ name: 'firstmate-sim', context: { cluster: 'firstmate-sim', user: 'firstmate-sim', namespace: 'default' } }],
        'current-context': 'firstmate-sim',
      }),
    async close() {
      drivers.close();
      faults.closeWatches();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
