/**
 * The everyday failures of the watched cluster, one notice per workload and problem:
 * `KubePodCrashLooping` (last termination reason and the tail of the previous container's log,
 * read through `pods/log`), `KubePodImagePullBackOff`, `KubePodUnschedulable`,
 * `KubePodVolumeFailed`, `KubeContainerProbeFailed` (over `notices.probeFailureThreshold`),
 * `KubeRolloutStuck` (Deployment `Progressing=False`, StatefulSet not all Ready for
 * `notices.rolloutStuckMs`) and `KubeJobFailed`.
 *
 * Inputs: one key per workload (`Kind/ns/name`; `Pod/ns/name` for a pod without a controller),
 * woken by changes of the workload, of its pods, and of the pod events that make or clear a
 * problem (`problems.ts`); the cache; the open-notice markers in Redis.
 * Outputs: a firing alert when a workload first shows a problem (labels `alertname`, `cluster`,
 * `severity`, `namespace`, `workload`, `reason`, owner routing; annotations `pods`, `nodes`,
 * `container`, `message`, `last_termination`, `previous_log`), the resolved alert once no pod
 * shows it any more; a failed Job is an event that resolves after `notices.eventTtlMs`. No
 * notice for namespaces in `notices.ignoreNamespaces`.
 * Idempotency: an open problem is the Redis mark `problem:<alertname>:<key>`, set after the firing
 * alert was handed to the sink and removed after the resolved one was; a Job failure is
 * `job-failed:<uid>` (`emitOnce`). A restart, relist or resync never reports an open problem
 * again; a crash in between reports it again (at-least-once) and the pipeline deduplicates it.
 */
import { kubeAlert } from '../alerts.ts';
import type { CacheChange } from '../cache.ts';
import type { ReconcileResult, Reconciler } from '../controller.ts';
import { PROBLEM_EVENT_REASONS, PROBLEM_NAMES, jobFailure, podProblems, rolloutDeadline, rolloutProblem } from '../problems.ts';
import type { Problem, ProblemName } from '../problems.ts';
import type { EventRecord, PodRecord, WorkloadKind, WorkloadRecord } from '../records.ts';
import { emitOnce, eventEnd, splitObjectKey } from './deps.ts';
import type { ReconcilerDeps } from './deps.ts';

const OPEN_TTL = 30 * 86400;
const PROBE_RECENT_MS = 5 * 60_000;
const WATCHED: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'Job']);

const severityOf: Record<ProblemName, 'warning' | 'critical'> = {
  KubePodCrashLooping: 'warning',
  KubePodImagePullBackOff: 'warning',
  KubePodUnschedulable: 'warning',
  KubePodVolumeFailed: 'warning',
  KubeContainerProbeFailed: 'warning',
  KubeRolloutStuck: 'warning',
};

const what: Record<ProblemName, string> = {
  KubePodCrashLooping: 'is crash looping',
  KubePodImagePullBackOff: 'cannot pull its image',
  KubePodUnschedulable: 'has pods that cannot be scheduled',
  KubePodVolumeFailed: 'has pods waiting for their volumes',
  KubeContainerProbeFailed: 'keeps failing its probes',
  KubeRolloutStuck: 'has a rollout that does not progress',
};

export function createWorkloadProblemsReconciler(deps: ReconcilerDeps): Reconciler {
  const { cache, reports } = deps;
  const opts = () => ({
    probeFailureThreshold: deps.notices.probeFailureThreshold,
    rolloutStuckMs: deps.notices.rolloutStuckMs,
    probeRecentMs: PROBE_RECENT_MS,
  });
  const keyOfPod = (p: PodRecord) => {
    const w = cache.workloadOf(p);
    return w ? `${w.kind}/${w.namespace}/${w.name}` : `Pod/${p.metadata.namespace}/${p.metadata.name}`;
  };

  const alertFor = (
    key: string,
    w: WorkloadRecord | undefined,
    p: Problem,
    status: 'firing' | 'resolved',
    since: number,
    extra: Record<string, string>,
  ) => {
    const { kind, namespace, name } = splitObjectKey(key);
    const subject = `${kind === 'Pod' ? 'pod' : kind} ${namespace}/${name}`;
    const annotations = w?.annotations ?? p.pods[0]?.annotations;
    const podNames = p.pods.map((x) => x.metadata.name);
    const nodes = [...new Set(p.pods.map((x) => x.nodeName).filter(Boolean))];
    return kubeAlert({
      alertname: p.name,
      cluster: deps.cluster,
      severity: severityOf[p.name],
      status,
      namespace,
      workload: `${kind}/${name}`,
      reason: p.reason,
      ...(annotations ? { ownerAnnotations: annotations } : {}),
      ...(kind === 'Pod' ? { pod: name } : {}),
      summary:
        status === 'firing'
          ? `${subject} ${what[p.name]} (${p.reason})`
          : `${subject} no longer ${what[p.name].replace(/^(is|has|keeps|cannot) /, '')}`,
      description: [
        p.message,
        podNames.length
          ? `Pods: ${podNames.slice(0, 5).join(', ')}${podNames.length > 5 ? ` and ${podNames.length - 5} more` : ''}${nodes.length ? ` on ${nodes.slice(0, 5).join(', ')}` : ''}.`
          : '',
        extra.previous_log ? `Previous container log (tail):\n${extra.previous_log}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
      annotations: {
        pods: podNames.slice(0, 20).join(', '),
        nodes: nodes.slice(0, 20).join(', '),
        message: p.message,
        ...(p.container ? { container: p.container } : {}),
        ...extra,
      },
      startsAt: since,
      ...(status === 'resolved' ? { endsAt: Date.now() } : {}),
    });
  };

  const crashDetails = async (p: Problem): Promise<Record<string, string>> => {
    const pod = p.pods[0];
    const c = pod?.containers.find((x) => x.name === p.container);
    if (!pod || !c) return {};
    const t = c.lastTerminated;
    const out: Record<string, string> = {};
    if (t) out.last_termination = `${t.reason || 'Terminated'} (exit ${t.exitCode})`;
    if (deps.notices.logTailLines > 0) {
      const log = await deps.podLog(pod.metadata.namespace, pod.metadata.name, c.name, {
        previous: true,
        tailLines: deps.notices.logTailLines,
      });
      if (log) out.previous_log = log.slice(-1500);
    }
    return out;
  };

  const reportJob = async (key: string, w: WorkloadRecord) => {
    const f = jobFailure(w);
    if (!f) return;
    const { namespace, name } = splitObjectKey(key);
    const owner = w.owner?.kind === 'CronJob' ? `CronJob/${w.owner.name}` : `Job/${name}`;
    await emitOnce(
      deps,
      `job-failed:${w.metadata.uid}`,
      kubeAlert({
        alertname: 'KubeJobFailed',
        cluster: deps.cluster,
        severity: 'warning',
        namespace,
        workload: owner,
        reason: f.reason,
        ...(w.annotations ? { ownerAnnotations: w.annotations } : {}),
        summary: `Job ${namespace}/${name} failed (${f.reason})`,
        description: `${f.message || f.reason}. ${w.failed ?? 0} pod(s) failed.`,
        annotations: { job: name, failed_pods: String(w.failed ?? 0), message: f.message },
        startsAt: f.at || Date.now(),
        endsAt: eventEnd(deps),
      }),
    );
  };

  return {
    name: 'workload-problems',
    keysFor(change: CacheChange) {
      if (change.kind === 'Pod') return [keyOfPod(change.obj as PodRecord)];
      if (change.kind === 'Event') {
        const e = change.obj as EventRecord;
        if (e.involved.kind !== 'Pod' || !PROBLEM_EVENT_REASONS.has(e.reason)) return [];
        const pod = cache.pod(e.involved.namespace, e.involved.name);
        return pod ? [keyOfPod(pod)] : [];
      }
      if (WATCHED.has(change.kind)) return [`${change.kind}/${change.obj.metadata.namespace}/${change.obj.metadata.name}`];
      return [];
    },
    *allKeys() {
      const seen = new Set<string>();
      for (const pod of cache.pods()) {
        const k = keyOfPod(pod);
        if (!seen.has(k)) {
          seen.add(k);
          yield k;
        }
      }
    },
    async reconcile(key, ctl): Promise<ReconcileResult | void> {
      const { kind, namespace, name } = splitObjectKey(key);
      if (deps.notices.ignoreNamespaces.has(namespace)) return;
      const w = kind === 'Pod' ? undefined : cache.workload(kind as WorkloadKind, namespace, name);
      // A pod seen before its ReplicaSet: wait for the ReplicaSet, which names the Deployment the notice belongs to.
      if (kind === 'ReplicaSet' && !w) return { requeueAfterMs: 1000 };
      if (w?.kind === 'ReplicaSet' && w.owner?.kind === 'Deployment') {
        ctl.enqueue(`Deployment/${namespace}/${w.owner.name}`);
        return;
      }
      if (w?.kind === 'Job') await reportJob(key, w);
      const pods =
        kind === 'Pod' ? [cache.pod(namespace, name)].filter((p): p is PodRecord => !!p) : cache.podsOfWorkload(kind, namespace, name);
      const now = Date.now();
      const problems = podProblems(cache, pods, opts(), now);
      const rollout = w && rolloutProblem(w, pods, opts(), now);
      if (rollout) problems.set('KubeRolloutStuck', rollout);
      let requeue = w && !rollout ? rolloutDeadline(w, pods, opts(), now) : undefined;
      const ids = PROBLEM_NAMES.map((pname) => `problem:${pname}:${key}`);
      const open = await reports.getMany(ids);
      for (const [i, pname] of PROBLEM_NAMES.entries()) {
        const id = ids[i] as string;
        const p = problems.get(pname);
        if (!p && open[i] === undefined) continue;
        if (p) {
          if (pname === 'KubeContainerProbeFailed') requeue = Math.min(requeue ?? Infinity, now + PROBE_RECENT_MS);
          if (open[i] !== undefined) continue;
          try {
            const extra = pname === 'KubePodCrashLooping' ? await crashDetails(p) : {};
            await deps.sink.emit([alertFor(key, w, p, 'firing', p.since, extra)]);
          } catch (err) {
            throw new Error(`cannot report ${pname} of ${key}`, { cause: err });
          }
          await reports.mark(id, OPEN_TTL, JSON.stringify({ since: p.since, reason: p.reason }));
        } else {
          const was = JSON.parse(open[i] as string) as { since: number; reason: string };
          const gone: Problem = { name: pname, reason: was.reason, pods: [], message: 'no pod shows it any more', since: was.since };
          try {
            await deps.sink.emit([alertFor(key, w, gone, 'resolved', was.since, {})]);
          } catch (err) {
            throw new Error(`cannot resolve ${pname} of ${key}`, { cause: err });
          }
          await reports.release(id);
        }
      }
      return requeue !== undefined && requeue < Infinity ? { requeueAfterMs: Math.max(50, requeue - now) } : undefined;
    },
  };
}
