/**
 * The error of an unusable cluster configuration, in a file of its own so the process's start-up
 * can recognise it without loading the Kubernetes client.
 */

/** Thrown when no source of cluster configuration was given or the one given is unusable. */
export class KubeConfigError extends Error {
  override name = 'KubeConfigError';
}
