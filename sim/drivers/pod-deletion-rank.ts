/**
 * The order in which a ReplicaSet controller removes its pods on scale-in, as
 * kube-controller-manager ranks them (`ActivePodsWithRanks`): unassigned before assigned,
 * Pending before Unknown before Running, not ready before ready, lower
 * `controller.kubernetes.io/pod-deletion-cost` first, more container restarts first, newer first.
 * The node co-location rank and ready-time comparisons of the real controller are not modelled.
 */
import type { Pod } from '../types.ts';
import { isReady } from './pod-template.ts';

export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** The pod's deletion cost: the annotation as an int32; absent or invalid is 0. */
export function podDeletionCost(pod: Pod): number {
  const raw = pod.metadata.annotations?.[POD_DELETION_COST];
  if (raw === undefined || !/^[+-]?\d+$/.test(raw)) return 0;
  const value = Number(raw);
  return value >= INT32_MIN && value <= INT32_MAX ? value : 0;
}

/** The highest restart count among the pod's containers, as the real controller compares. */
function restarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount));
}

/** Negative when `a` is to be removed before `b`. */
export function compareForDeletion(a: Pod, b: Pod): number {
  return (
    Number(Boolean(a.spec?.nodeName)) - Number(Boolean(b.spec?.nodeName)) ||
    (PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0) - (PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0) ||
    Number(isReady(a)) - Number(isReady(b)) ||
    podDeletionCost(a) - podDeletionCost(b) ||
    restarts(b) - restarts(a) ||
    (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') ||
    (b.metadata.name ?? '').localeCompare(a.metadata.name ?? '')
  );
}

/** The pods in removal order (a new array). */
export function rankForDeletion(pods: Pod[]): Pod[] {
  return [...pods].sort(compareForDeletion);
}
