/**
 * The Eviction API (`POST pods/{name}/eviction`, policy/v1 or v1beta1) as the real server answers
 * it. A pod that is pending, finished or already terminating is deleted without a budget check.
 * Otherwise the one PodDisruptionBudget covering it decides from its status (as the disruption
 * controller keeps it): not yet processed (observedGeneration behind) or `disruptionsAllowed` 0
 * answers 429 TooManyRequests; more than one covering budget answers 500. An allowed eviction
 * takes one disruption off the budget's status and records the pod in `disruptedPods` (so the
 * controller does not count it as healthy meanwhile), marks the pod with the `DisruptionTarget`
 * condition and deletes it gracefully. An unhealthy (not Ready) pod is evicted without using up
 * the budget while the budget is met, or always with `unhealthyPodEvictionPolicy: AlwaysAllow`.
 * `dryRun` checks everything and changes nothing.
 */
import { deleteObject } from './deletion.ts';
import type { DeleteRequest } from './deletion.ts';
import { isReady, markDisruptionTarget } from './drivers/pod-template.ts';
import { matchSelector } from './selectors.ts';
import { StatusError, notFound } from './status.ts';
import type { Store } from './store.ts';
import type { KubeObject, Pod } from './types.ts';

/** A PodDisruptionBudget as the eviction and the disruption controller read it. */
export interface Budget extends KubeObject {
  spec?: {
    minAvailable?: number | string;
    maxUnavailable?: number | string;
    selector?: Parameters<typeof matchSelector>[0];
    unhealthyPodEvictionPolicy?: 'IfHealthyBudget' | 'AlwaysAllow';
  };
  status?: {
    observedGeneration?: number;
    disruptionsAllowed?: number;
    currentHealthy?: number;
    desiredHealthy?: number;
    expectedPods?: number;
    disruptedPods?: Record<string, string>;
    conditions?: unknown[];
  };
}

function tooMany(message: string): StatusError {
  return new StatusError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
    causes: [{ reason: 'DisruptionBudget', message }],
  });
}

/** The budgets whose selector covers a pod (policy/v1: an empty selector covers every pod of the namespace, none none). */
export function budgetsFor(store: Store, pod: Pod): Budget[] {
  const out: Budget[] = [];
  for (const pdb of store.list('poddisruptionbudgets', { namespace: pod.metadata.namespace }).items as Budget[]) {
    const selector = pdb.spec?.selector;
    if (selector && matchSelector(selector)(pod)) out.push(pdb);
  }
  return out;
}

function canIgnoreBudget(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return (
    phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !pod.status?.phase || Boolean(pod.metadata.deletionTimestamp)
  );
}

/** Checks the budget and, unless `dryRun`, takes one disruption off it; throws 429/500 when refused. */
function useBudget(store: Store, pod: Pod, request: DeleteRequest, now: string): void {
  const budgets = budgetsFor(store, pod);
  if (budgets.length === 0) return;
  if (budgets.length > 1)
    throw new StatusError(
      500,
      'InternalError',
      'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    );
  const pdb = budgets[0]!;
  const status = pdb.status ?? {};
  const name = pdb.metadata.name!;
  if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 1))
    throw tooMany(`The disruption budget ${name} is still being processed by the server.`);
  const allowed = status.disruptionsAllowed ?? 0;
  const current = status.currentHealthy ?? 0;
  const desired = status.desiredHealthy ?? 0;
  if (!isReady(pod) && (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' || (current >= desired && desired > 0))) return;
  if (allowed < 0) throw new StatusError(403, 'Forbidden', 'pdb disruptions allowed is negative');
  if (allowed === 0) throw tooMany(`The disruption budget ${name} needs ${desired} healthy pods and has ${current} currently`);
  if (request.dryRun) return;
  const next = structuredClone(pdb);
  next.status = {
    ...status,
    disruptionsAllowed: allowed - 1,
    disruptedPods: { ...(status.disruptedPods ?? {}), [pod.metadata.name!]: now },
  };
  store.update('poddisruptionbudgets', next, 'status');
}

/** Evicts a pod through the Eviction API rules; throws a `StatusError` (404, 409, 429, 500) when refused. */
export function evictPod(store: Store, namespace: string, name: string, request: DeleteRequest = {}): void {
  const pod = store.get('pods', namespace, name) as Pod | undefined;
  if (!pod) throw notFound('pods', '', name);
  const pre = request.preconditions ?? {};
  for (const [field, wanted, actual] of [
    ['UID', pre.uid, pod.metadata.uid],
    ['ResourceVersion', pre.resourceVersion, pod.metadata.resourceVersion],
  ] as const) {
    if (wanted && wanted !== actual)
      throw new StatusError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on pods "${name}": Precondition failed: ${field} in precondition: ${wanted}, ${field} in object meta: ${actual ?? ''}`,
      );
  }
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (!canIgnoreBudget(pod)) useBudget(store, pod, request, now);
  if (request.dryRun) {
    deleteObject(store, 'pods', namespace, name, request);
    return;
  }
  if (!pod.metadata.deletionTimestamp) {
    store.mutate(
      'pods',
      namespace,
      name,
      (o) => {
        markDisruptionTarget(o as Pod, 'EvictionByEvictionAPI', 'Eviction API: evicting', now);
      },
      'status',
    );
  }
  deleteObject(store, 'pods', namespace, name, { ...request, preconditions: { uid: pod.metadata.uid } });
}
