/**
 * Why a pod left its node, from what the cache knows: the pod's own status (`reason: Evicted`,
 * the `DisruptionTarget` condition), the events about it (`TaintManagerEviction`, `Preempted`,
 * `Evicted`), and the state of its node.
 */
import type { KubeCache } from './cache.ts';
import type { PodRecord } from './records.ts';
import { readyStatus } from './storm.ts';

/** Stable reason codes used in alert labels and history. */
export type DepartureReason = 'evicted' | 'preempted' | 'node-failure' | 'deleted' | 'rescheduled' | 'failed' | 'operation';

/**
 * Set by firstmate's safe operations on the pods they act on and on the nodes they cordon
 * (`<operation id> by <user>`): what such a pod or node goes through is that operation's doing.
 */
export const OPERATION_ANNOTATION = 'firstmate.io/operation';

export interface Departure {
  reason: DepartureReason;
  /** More precise cause: `memory-pressure`, `taint-manager`, `api-eviction`, … */
  detail: string;
  message: string;
}

export const reasonText: Record<DepartureReason, string> = {
  evicted: 'evicted',
  preempted: 'preempted by a higher-priority pod',
  'node-failure': 'node failure (evicted by the taint manager)',
  deleted: 'deleted',
  rescheduled: 'rescheduled',
  failed: 'failed',
  operation: 'a firstmate operation',
};

/** Which resource a kubelet eviction message names ("The node was low on resource: memory."). */
export function pressureOf(message: string): string {
  const m = /low on resource: \[?([a-z-]+)/i.exec(message);
  if (!m) return 'pressure';
  const r = (m[1] ?? '').toLowerCase();
  return r === 'ephemeral-storage' || r === 'nodefs' || r === 'imagefs' ? 'disk-pressure' : r === 'pids' ? 'pid-pressure' : `${r}-pressure`;
}

export function departureOf(
  cache: KubeCache,
  pod: PodRecord | undefined,
  ref: { namespace: string; name: string; node: string },
): Departure {
  const byOperation =
    pod?.annotations?.[OPERATION_ANNOTATION] ??
    (pod?.disruption === 'EvictionByEvictionAPI' && ref.node ? cache.node(ref.node)?.annotations?.[OPERATION_ANNOTATION] : undefined);
  if (byOperation) return { reason: 'operation', detail: byOperation, message: `operation ${byOperation}` };
  if (pod?.reason === 'Evicted') return { reason: 'evicted', detail: pressureOf(pod.message), message: pod.message };
  switch (pod?.disruption) {
    case 'DeletionByTaintManager':
      return { reason: 'node-failure', detail: 'taint-manager', message: `node ${ref.node} was tainted NoExecute` };
    case 'PreemptionByScheduler':
    case 'PreemptionByKubeScheduler':
      return { reason: 'preempted', detail: 'preempted', message: pod.message };
    case 'EvictionByEvictionAPI':
      return { reason: 'evicted', detail: 'api-eviction', message: 'evicted through the Eviction API (drain)' };
    case 'TerminationByKubelet':
      return { reason: 'evicted', detail: 'kubelet', message: pod.message || 'terminated by the kubelet' };
    case 'DeletionByPodGC':
      return { reason: 'node-failure', detail: 'node-gone', message: `node ${ref.node} is gone` };
  }
  for (const e of cache.eventsFor('Pod', ref.namespace, ref.name)) {
    if (pod && e.involved.uid && e.involved.uid !== pod.metadata.uid) continue;
    if (e.reason === 'TaintManagerEviction') return { reason: 'node-failure', detail: 'taint-manager', message: e.message };
    if (e.reason === 'Preempted') return { reason: 'preempted', detail: 'preempted', message: e.message };
    if (e.reason === 'Evicted') return { reason: 'evicted', detail: pressureOf(e.message), message: e.message };
  }
  const node = ref.node ? cache.node(ref.node) : undefined;
  if (ref.node && (!node || readyStatus(node) === 'False' || readyStatus(node) === 'Unknown')) {
    return {
      reason: 'node-failure',
      detail: node ? 'node-not-ready' : 'node-gone',
      message: `node ${ref.node} ${node ? 'is not ready' : 'is gone'}`,
    };
  }
  if (pod?.deletedAt) return { reason: 'deleted', detail: 'deleted', message: 'the pod was deleted' };
  if (pod && pod.phase === 'Failed') return { reason: 'failed', detail: 'failed', message: pod.message };
  return { reason: 'rescheduled', detail: 'rescheduled', message: 'the pod was replaced' };
}
