import { existsSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { buildKubeConfig } from './client.ts';
import type { KubeSettings } from './config-schema.ts';
import type { KubeRuntimeOptions } from './runtime.ts';
import { createDemoCluster } from './sim/demo-cluster.ts';
import { startSim, type Sim } from './sim/sim.ts';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** The cluster firstmate talks to, and the simulated one it started when there was none. */
export interface ClusterConnection {
  kubeConfig: KubeConfig;
  /** Where it came from, for the start-up log. */
  origin: 'kubeconfig' | 'in-cluster' | 'url' | 'sim';
  sim?: Sim;
  close(): Promise<void>;
}

/**
 * Resolves `kube.mode`: in `auto`, a kubeconfig file (`kube.kubeconfig`/`KUBECONFIG`, else
 * `~/.kube/config` when present), then the in-cluster service account, then the demo cluster of
 * `kube/sim` on a loopback port. Returns undefined when the Kubernetes core is off.
 */
export async function connectCluster(settings: KubeSettings): Promise<ClusterConnection | undefined> {
  const none = async () => {};
  const defaultKubeconfig = join(homedir(), '.kube', 'config');
  const kubeconfig = settings.kubeconfig ?? (existsSync(defaultKubeconfig) ? defaultKubeconfig : undefined);
  let mode = settings.mode;
  if (mode === 'off') return undefined;
  if (mode === 'auto') mode = settings.url ? 'url' : kubeconfig ? 'kubeconfig' : existsSync(SERVICE_ACCOUNT_TOKEN) ? 'in-cluster' : 'sim';
  switch (mode) {
    case 'kubeconfig':
      return { kubeConfig: buildKubeConfig({ kubeconfigEnv: kubeconfig ?? defaultKubeconfig, context: settings.context }), origin: 'kubeconfig', close: none };
    case 'in-cluster':
      return { kubeConfig: buildKubeConfig({ inCluster: true }), origin: 'in-cluster', close: none };
    case 'url':
      return { kubeConfig: buildKubeConfig({ url: settings.url }), origin: 'url', close: none };
    default: {
      const sim = await startSim({ cluster: createDemoCluster() });
      return { kubeConfig: buildKubeConfig({ url: sim.url }), origin: 'sim', sim, close: () => sim.close() };
    }
  }
}

/** The runtime's options from the validated settings. */
export function runtimeOptions(settings: KubeSettings, redisPrefix: string): KubeRuntimeOptions {
  const le = settings.leaderElection;
  return {
    cluster: settings.cluster,
    redisPrefix: `${redisPrefix}:kube:`,
    reportTtlSeconds: settings.reportTtlSeconds,
    leaderElection: { ...le, identity: le.identity ?? `${hostname()}-${process.pid}` },
    storm: settings.storm,
    workers: settings.workers,
    pageSize: settings.pageSize,
  };
}
