/**
 * Builds the KubeConfig the reconciliation core talks through. Every value comes in as a
 * parameter (only `app/config.ts` reads the environment): an explicit kubeconfig file, the
 * content of `KUBECONFIG` as passed by the caller, the in-cluster service account, or a plain
 * server URL (the simulated cluster, a `kubectl proxy`).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { KubeConfigError } from './config-error.ts';

export { KubeConfigError };

/** Where the cluster is. The first field that is set wins, in this order. */
export interface KubeClientOptions {
  /** A server URL reached without credentials (the simulated cluster, `kubectl proxy`). */
  url?: string;
  /** Path of a kubeconfig file. */
  kubeconfigPath?: string;
  /** The value of `KUBECONFIG` (one or more paths joined by the platform delimiter). */
  kubeconfigEnv?: string;
  /** Use the pod's service account (`/var/run/secrets/kubernetes.io/serviceaccount`). */
  inCluster?: boolean;
  /** Context to select after loading a kubeconfig file. */
  context?: string;
  /** Skip TLS verification (only for a `url` with https). */
  insecureSkipTlsVerify?: boolean;
}

export function buildKubeConfig(opts: KubeClientOptions): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (opts.url) {
      kc.loadFromOptions({
        // The client refuses plain http unless TLS verification is off; there is no TLS to verify then.
        clusters: [{ name: 'firstmate', server: opts.url, skipTLSVerify: opts.insecureSkipTlsVerify ?? opts.url.startsWith('http:') }],
        users: [{ name: 'firstmate' }],
        contexts: [{ name: 'firstmate', cluster: 'firstmate', user: 'firstmate' }],
        currentContext: 'firstmate',
      });
    } else if (opts.kubeconfigPath) {
      kc.loadFromFile(opts.kubeconfigPath);
    } else if (opts.kubeconfigEnv) {
      const files = opts.kubeconfigEnv.split(process.platform === 'win32' ? ';' : ':').filter(Boolean);
      if (files.length === 0) throw new KubeConfigError('KUBECONFIG is empty');
      kc.loadFromFile(files[0] as string);
      for (const f of files.slice(1)) {
        const extra = new KubeConfig();
        extra.loadFromFile(f);
        kc.mergeConfig(extra, true);
      }
    } else if (opts.inCluster) {
      kc.loadFromCluster();
    } else {
      throw new KubeConfigError('no cluster configured: give a url, a kubeconfig path, KUBECONFIG or in-cluster');
    }
  } catch (err) {
    if (err instanceof KubeConfigError) throw err;
    throw new KubeConfigError(`cannot load the cluster configuration: ${(err as Error).message}`, { cause: err });
  }
  if (opts.context) kc.setCurrentContext(opts.context);
  if (!kc.getCurrentCluster()) throw new KubeConfigError('the kubeconfig has no current cluster');
  return kc;
}
