/**
 * Deletion as the real API server does it: `DeleteOptions` from the query and the body
 * (`gracePeriodSeconds`, `preconditions`, `dryRun`), and graceful deletion of pods. A pod bound to
 * a node and not yet terminal is only marked (`deletionTimestamp`, `deletionGracePeriodSeconds`,
 * shown as Terminating) and the simulated kubelet removes it once the grace period is over; an
 * unbound or finished pod, or `gracePeriodSeconds=0`, goes at once.
 */
import { badRequest } from './status.ts';
import type { DeleteOptions, Preconditions, Store } from './store.ts';
import type { KubeObject, Pod } from './types.ts';

/** The default `terminationGracePeriodSeconds` of a pod. */
export const DEFAULT_GRACE_SECONDS = 30;

/** A delete request as the API receives it. */
export interface DeleteRequest {
  gracePeriodSeconds?: number;
  preconditions?: Preconditions;
  dryRun?: boolean;
}

function graceOf(value: unknown, where: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw badRequest(`${where}: gracePeriodSeconds must be an integer`);
  return n;
}

/** Merges `DeleteOptions` of the body (also the `deleteOptions` of an Eviction) with the query parameters. */
export function deleteRequest(query: URLSearchParams, body: unknown): DeleteRequest {
  const opts = (body ?? {}) as { gracePeriodSeconds?: unknown; preconditions?: Preconditions; dryRun?: unknown };
  const dryRun = query.getAll('dryRun').includes('All') || (Array.isArray(opts.dryRun) && opts.dryRun.includes('All'));
  const request: DeleteRequest = { dryRun };
  const grace = graceOf(query.get('gracePeriodSeconds'), 'query') ?? graceOf(opts.gracePeriodSeconds, 'body');
  if (grace !== undefined) request.gracePeriodSeconds = Math.max(0, grace);
  if (opts.preconditions && typeof opts.preconditions === 'object') request.preconditions = opts.preconditions;
  return request;
}

/** The grace period a pod deletion gets: 0 for unbound or finished pods, else the request's or the pod's own. */
export function podGracePeriod(pod: Pod, requested?: number): number {
  if (!pod.spec?.nodeName) return 0;
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 0;
  if (requested !== undefined) return requested;
  const own = pod.spec.terminationGracePeriodSeconds;
  return typeof own === 'number' && own >= 0 ? own : DEFAULT_GRACE_SECONDS;
}

/** Deletes (or, for a running pod, starts terminating) one object; answers the object as the server does. */
export function deleteObject(
  store: Store,
  resource: string,
  namespace: string | undefined,
  name: string,
  request: DeleteRequest,
): KubeObject {
  const options: DeleteOptions = { dryRun: request.dryRun };
  if (resource === 'pods') {
    const pod = store.peek('pods', namespace, name) as Pod | undefined;
    if (pod) options.gracePeriodSeconds = podGracePeriod(pod, request.gracePeriodSeconds);
  }
  return store.delete(resource, namespace, name, request.preconditions, options);
}

/** A controller's delete of a pod it owns: graceful, and only of the pod it looked at. */
export function terminatePod(store: Store, pod: Pod): void {
  if (pod.metadata.deletionTimestamp) return;
  store.delete('pods', pod.metadata.namespace, pod.metadata.name!, { uid: pod.metadata.uid }, { gracePeriodSeconds: podGracePeriod(pod) });
}
