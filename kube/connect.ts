import { existsSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { redisKeys } from '../core/redis-keys.ts';
import { buildKubeConfig } from './client.ts';
import { KubeConfigError } from './config-error.ts';
import type { KubeSettings } from './config-schema.ts';
import type { KubeRuntimeOptions } from './runtime.ts';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** The cluster firstmate talks to. */
export interface ClusterConnection {
  kubeConfig: KubeConfig;
  /** Where it came from, for the start-up log. */
  origin: 'kubeconfig' | 'in-cluster' | 'url' | 'demo';
  close(): Promise<void>;
}

/**
 * Resolves `kube.mode`: in `auto`, `kube.url`, then a kubeconfig file (`kube.kubeconfig`/
 * `KUBECONFIG`, else `~/.kube/config` when present), then the in-cluster service account; with
 * none of them it fails with a `KubeConfigError` (never a simulated cluster). Returns undefined
 * when the Kubernetes core is off.
 */
export function connectCluster(settings: KubeSettings): ClusterConnection | undefined {
  const none = async () => {};
  const defaultKubeconfig = join(homedir(), '.kube', 'config');
  const kubeconfig = settings.kubeconfig ?? (existsSync(defaultKubeconfig) ? defaultKubeconfig : undefined);
  if (settings.mode === 'off') return undefined;
  const mode =
    settings.mode !== 'auto'
      ? settings.mode
      : settings.url
        ? 'url'
        : kubeconfig
          ? 'kubeconfig'
          : existsSync(SERVICE_ACCOUNT_TOKEN)
            ? 'in-cluster'
            : undefined;
  if (!mode)
    throw new KubeConfigError(
      'no Kubernetes cluster found: set KUBECONFIG, run in a pod with a service account, set kube.url, or set kube.mode: off',
    );
  switch (mode) {
    case 'kubeconfig':
      return {
        kubeConfig: buildKubeConfig({ kubeconfigEnv: kubeconfig ?? defaultKubeconfig, context: settings.context }),
        origin: 'kubeconfig',
        close: none,
      };
    case 'in-cluster':
      return { kubeConfig: buildKubeConfig({ inCluster: true }), origin: 'in-cluster', close: none };
    case 'url':
      return { kubeConfig: buildKubeConfig({ url: settings.url }), origin: 'url', close: none };
  }
}

/** The runtime's options from the validated settings. */
export function runtimeOptions(settings: KubeSettings, redisPrefix: string): KubeRuntimeOptions {
  const le = settings.leaderElection;
  return {
    cluster: settings.cluster,
    redisPrefix: redisKeys(redisPrefix).kubePrefix,
    reportTtlSeconds: settings.reportTtlSeconds,
    leaderElection: { ...le, identity: le.identity ?? `${hostname()}-${process.pid}` },
    storm: settings.storm,
    notices: settings.notices,
    workers: settings.workers,
    pageSize: settings.pageSize,
  };
}
