/**
 * The everyday failures of a workload, read from the cache alone: crash loops, image pulls,
 * unschedulable and volume-blocked pods, probe failures over a threshold, stuck rollouts and
 * failed Jobs. Pure functions of the cache and the clock, so every replica and every restart
 * sees the same problems; `kube/reconcilers/workload-problems.ts` turns them into notices.
 */
import type { KubeCache } from './cache.ts';
import type { EventRecord, PodRecord, WorkloadRecord } from './records.ts';

/** Alert names of the problems, one notice per workload each. */
export type ProblemName =
  | 'KubePodCrashLooping'
  | 'KubePodImagePullBackOff'
  | 'KubePodUnschedulable'
  | 'KubePodVolumeFailed'
  | 'KubeContainerProbeFailed'
  | 'KubeRolloutStuck';

export const PROBLEM_NAMES: readonly ProblemName[] = [
  'KubePodCrashLooping',
  'KubePodImagePullBackOff',
  'KubePodUnschedulable',
  'KubePodVolumeFailed',
  'KubeContainerProbeFailed',
  'KubeRolloutStuck',
];

/** One problem of one workload: the pods that show it and what they say. */
export interface Problem {
  name: ProblemName;
  /** `CrashLoopBackOff`, `ImagePullBackOff`, `FailedScheduling`, `FailedMount`, `readiness`, `ProgressDeadlineExceeded`… */
  reason: string;
  pods: PodRecord[];
  /** The container concerned (crash loops, image pulls, probes). */
  container?: string;
  /** What the cluster says, one line. */
  message: string;
  since: number;
}

export interface ProblemOptions {
  probeFailureThreshold: number;
  rolloutStuckMs: number;
  /** A probe failure this old no longer counts while the pod is Ready. */
  probeRecentMs: number;
}

/** Pod events that can make or clear a problem. */
export const PROBLEM_EVENT_REASONS = new Set([
  'BackOff',
  'Failed',
  'ErrImagePull',
  'FailedScheduling',
  'FailedMount',
  'FailedAttachVolume',
  'FailedMapVolume',
  'Unhealthy',
]);

const IMAGE_REASONS = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull']);
const VOLUME_REASONS = new Set(['FailedMount', 'FailedAttachVolume', 'FailedMapVolume']);

const latest = (events: EventRecord[], pod: PodRecord, reasons: Set<string> | string) =>
  events.find(
    (e) =>
      (typeof reasons === 'string' ? e.reason === reasons : reasons.has(e.reason)) &&
      (!e.involved.uid || e.involved.uid === pod.metadata.uid),
  );

function add(out: Map<ProblemName, Problem>, p: Omit<Problem, 'pods'>, pod: PodRecord | undefined): void {
  const found = out.get(p.name);
  if (found) {
    if (pod) found.pods.push(pod);
    found.since = Math.min(found.since, p.since);
    return;
  }
  out.set(p.name, { ...p, pods: pod ? [pod] : [] });
}

/** The problems the pods of one workload (or one bare pod) show now. */
export function podProblems(cache: KubeCache, pods: PodRecord[], opts: ProblemOptions, now: number): Map<ProblemName, Problem> {
  const out = new Map<ProblemName, Problem>();
  for (const pod of pods) {
    if (pod.deletedAt || pod.phase === 'Succeeded' || pod.phase === 'Failed') continue;
    const events = cache.eventsFor('Pod', pod.metadata.namespace, pod.metadata.name);
    for (const c of pod.containers) {
      if (c.stateReason === 'CrashLoopBackOff') {
        const t = c.lastTerminated;
        add(
          out,
          {
            name: 'KubePodCrashLooping',
            reason: 'CrashLoopBackOff',
            container: c.name,
            message: t
              ? `container ${c.name} keeps exiting: last ${t.reason || 'termination'} (exit ${t.exitCode}), ${c.restartCount} restarts`
              : `container ${c.name} keeps exiting, ${c.restartCount} restarts`,
            since: t?.finishedAt || now,
          },
          pod,
        );
      } else if (IMAGE_REASONS.has(c.stateReason)) {
        const e = latest(events, pod, new Set(['Failed', 'ErrImagePull', 'BackOff']));
        add(
          out,
          {
            name: 'KubePodImagePullBackOff',
            reason: c.stateReason,
            container: c.name,
            message: e?.message || `container ${c.name}: ${c.stateReason}`,
            since: e?.firstAt || now,
          },
          pod,
        );
      }
    }
    if (pod.phase === 'Pending' && !pod.nodeName) {
      const e = latest(events, pod, 'FailedScheduling');
      if (e) add(out, { name: 'KubePodUnschedulable', reason: 'FailedScheduling', message: e.message, since: e.firstAt || now }, pod);
    }
    if (pod.phase === 'Pending' && pod.nodeName) {
      const e = latest(events, pod, VOLUME_REASONS);
      if (e) add(out, { name: 'KubePodVolumeFailed', reason: e.reason, message: e.message, since: e.firstAt || now }, pod);
    }
    const probe = latest(events, pod, 'Unhealthy');
    if (probe && probe.count >= opts.probeFailureThreshold && (!pod.ready || now - probe.lastAt < opts.probeRecentMs)) {
      const kind = /^(Liveness|Readiness|Startup) probe/i.exec(probe.message)?.[1]?.toLowerCase() ?? 'probe';
      add(
        out,
        {
          name: 'KubeContainerProbeFailed',
          reason: kind,
          message: `${probe.message} (${probe.count} times)`,
          since: probe.firstAt || now,
        },
        pod,
      );
    }
  }
  return out;
}

/** A rollout that does not progress: Deployment `Progressing=False`, a StatefulSet not all Ready for too long. */
export function rolloutProblem(w: WorkloadRecord, pods: PodRecord[], opts: ProblemOptions, now: number): Problem | undefined {
  if (w.kind === 'Deployment') {
    const c = w.conditions?.find((x) => x.type === 'Progressing' && x.status === 'False');
    if (!c) return undefined;
    return {
      name: 'KubeRolloutStuck',
      reason: c.reason || 'ProgressDeadlineExceeded',
      pods: [],
      message: c.message,
      since: c.lastTransition || now,
    };
  }
  if (w.kind !== 'StatefulSet' || w.readyReplicas >= w.replicas) return undefined;
  const unready = pods.filter((p) => !p.deletedAt && !p.ready);
  const since = Math.min(now, ...unready.map((p) => p.unreadyAt || p.metadata.createdAt || now));
  if (!unready.length || now - since < opts.rolloutStuckMs) return undefined;
  return {
    name: 'KubeRolloutStuck',
    reason: 'NotAllReady',
    pods: unready,
    message: `${w.readyReplicas} of ${w.replicas} replicas Ready`,
    since,
  };
}

/** When a StatefulSet that is not all Ready becomes a stuck rollout (for a requeue), or undefined. */
export function rolloutDeadline(w: WorkloadRecord, pods: PodRecord[], opts: ProblemOptions, now: number): number | undefined {
  if (w.kind !== 'StatefulSet' || w.readyReplicas >= w.replicas) return undefined;
  const unready = pods.filter((p) => !p.deletedAt && !p.ready);
  if (!unready.length) return undefined;
  const since = Math.min(now, ...unready.map((p) => p.unreadyAt || p.metadata.createdAt || now));
  const at = since + opts.rolloutStuckMs;
  return at > now ? at : undefined;
}

/** A Job's `Failed` condition, when it has one. */
export function jobFailure(w: WorkloadRecord): { reason: string; message: string; at: number } | undefined {
  if (w.kind !== 'Job') return undefined;
  const c = w.conditions?.find((x) => x.type === 'Failed' && x.status === 'True');
  return c ? { reason: c.reason || 'Failed', message: c.message, at: c.lastTransition } : undefined;
}
