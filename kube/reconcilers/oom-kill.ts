/**
 * OOM kills (`KubeContainerOOMKilled`).
 *
 * Inputs: `Pod/ns/name` keys for pods whose containers report a termination with reason
 * `OOMKilled` (current state or `lastState`), and `Event/ns/name` keys for node events with
 * reason `OOMKilling` (kernel monitor) or `SystemOOM` (kubelet); the pod, its workload and the
 * event from the cache.
 * Outputs: one alert per container restart caused by an OOM kill (memory limit, restart count,
 * node, exit code). A node OOM event is reported on its own only when no container on that node
 * reports an OOM kill within ±10 s of it (after a short grace, since the kubelet's status update
 * may arrive later than the kernel event): otherwise the container alert already covers it.
 * Each alert is an event: it resolves `notices.eventTtlMs` after it fired. No alert for pods in
 * ignored namespaces.
 * Idempotency: reported under `oom:<pod uid>:<container>:<kill number>:<finishedAt>` and
 * `oom-event:<event uid>:<count>` in Redis, so a relist or restart never reports a kill twice;
 * the alert fingerprint is per container, so repeated kills update one incident.
 */
import { kubeAlert } from '../alerts.ts';
import type { CacheChange } from '../cache.ts';
import type { Reconciler } from '../controller.ts';
import { formatBytes } from '../quantity.ts';
import type { ContainerTermination, EventRecord, PodRecord } from '../records.ts';
import { emitOnce, eventEnd, splitObjectKey } from './deps.ts';
import type { ReconcilerDeps } from './deps.ts';

const NODE_OOM_REASONS = new Set(['OOMKilling', 'SystemOOM']);

/**
 * OOM terminations of a pod's containers. `seq` numbers the kill the same way before and after
 * the restart: a current `terminated` state becomes `lastState` with restartCount + 1.
 */
function oomTerminations(
  pod: PodRecord,
): Array<{ container: string; t: ContainerTermination; seq: number; restarts: number; limit: number }> {
  const out: Array<{ container: string; t: ContainerTermination; seq: number; restarts: number; limit: number }> = [];
  for (const c of pod.containers) {
    const base = { container: c.name, restarts: c.restartCount, limit: c.memoryLimitBytes };
    if (c.lastTerminated?.reason === 'OOMKilled') out.push({ ...base, t: c.lastTerminated, seq: c.restartCount });
    if (c.terminated?.reason === 'OOMKilled') out.push({ ...base, t: c.terminated, seq: c.restartCount + 1 });
  }
  return out;
}

const isNodeOOM = (e: EventRecord) => e.involved.kind === 'Node' && NODE_OOM_REASONS.has(e.reason);

const MATCH_WINDOW_MS = 10_000;

export function createOomKillReconciler(deps: ReconcilerDeps, opts: { nodeEventGraceMs?: number } = {}): Reconciler {
  const { cache } = deps;
  const grace = opts.nodeEventGraceMs ?? 5000;
  const coveredByContainer = (e: EventRecord) =>
    cache
      .podsOnNode(e.involved.name)
      .some((p) =>
        oomTerminations(p).some(
          ({ t }) => Math.abs(t.finishedAt - e.lastAt) <= MATCH_WINDOW_MS || Math.abs(t.finishedAt - e.firstAt) <= MATCH_WINDOW_MS,
        ),
      );
  return {
    name: 'oom-kill',
    keysFor(change: CacheChange) {
      if (change.kind === 'Pod' && change.verb !== 'delete' && oomTerminations(change.obj as PodRecord).length) {
        return [`Pod/${change.obj.metadata.namespace}/${change.obj.metadata.name}`];
      }
      if (change.kind === 'Event' && change.verb !== 'delete' && isNodeOOM(change.obj as EventRecord)) {
        return [`Event/${change.obj.metadata.namespace}/${change.obj.metadata.name}`];
      }
      return [];
    },
    *allKeys() {
      for (const p of cache.pods()) if (oomTerminations(p).length) yield `Pod/${p.metadata.namespace}/${p.metadata.name}`;
    },
    async reconcile(key) {
      const { kind, namespace, name } = splitObjectKey(key);
      if (kind === 'Event') {
        const e = cache.event(namespace, name);
        if (!e || !isNodeOOM(e)) return;
        const id = `oom-event:${e.metadata.uid}:${e.count}`;
        if (coveredByContainer(e)) return;
        const age = Date.now() - e.lastAt;
        if (age < grace) return { requeueAfterMs: grace - age };
        const node = e.involved.name;
        await emitOnce(
          deps,
          id,
          kubeAlert({
            alertname: 'KubeContainerOOMKilled',
            cluster: deps.cluster,
            severity: 'warning',
            node,
            reason: e.reason,
            summary: `OOM kill on node ${node}`,
            description: `${e.reason} on ${node}: ${e.message}`,
            annotations: { message: e.message, count: String(e.count) },
            startsAt: e.lastAt,
            endsAt: eventEnd(deps),
          }),
        );
        return;
      }
      const pod = cache.pod(namespace, name);
      if (!pod || deps.notices.ignoreNamespaces.has(namespace)) return;
      const w = cache.workloadOf(pod);
      for (const { container, t, seq, restarts, limit } of oomTerminations(pod)) {
        const limitText = limit ? formatBytes(limit) : 'no limit';
        await emitOnce(
          deps,
          `oom:${pod.metadata.uid}:${container}:${seq}:${t.finishedAt}`,
          kubeAlert({
            alertname: 'KubeContainerOOMKilled',
            cluster: deps.cluster,
            severity: 'warning',
            namespace,
            pod: name,
            container,
            node: pod.nodeName,
            reason: 'OOMKilled',
            ...(w ? { workload: `${w.kind}/${w.name}` } : {}),
            ...((w?.record?.annotations ?? pod?.annotations) ? { ownerAnnotations: w?.record?.annotations ?? pod?.annotations } : {}),
            summary: `${namespace}/${name} container ${container} was OOM-killed (limit ${limitText})`,
            description: `Container ${container} of ${namespace}/${name} on ${pod.nodeName || 'an unknown node'} was killed for running out of memory (limit ${limitText}, exit code ${t.exitCode}); it has restarted ${restarts} time(s).`,
            annotations: {
              memory_limit: limitText,
              memory_limit_bytes: String(limit),
              restart_count: String(restarts),
              exit_code: String(t.exitCode),
              finished_at: t.finishedAt ? new Date(t.finishedAt).toISOString() : '',
            },
            startsAt: t.finishedAt || Date.now(),
            endsAt: eventEnd(deps),
            ip: pod.podIP,
          }),
        );
      }
    },
  };
}
