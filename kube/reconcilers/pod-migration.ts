/**
 * Pod migration (`KubePodMigrated`).
 *
 * Inputs: one key per workload (`StatefulSet/ns/name`, `Deployment/ns/name`, or a ReplicaSet
 * without Deployment), woken by changes of its pods and of events about them; the workload's
 * pods from the cache; the workload's incarnation history in Redis.
 * Outputs: the updated history (node, IP, Ready and end times, why each pod ended, which pod
 * replaced which) and one alert per migration: a pod ended on node A and its successor (the
 * same StatefulSet identity, or a replacement in the same ReplicaSet) is Ready on node B. The
 * alert says from where to where, why, whether the pod IP stayed, and how long the workload
 * was short (the old pod stopped being Ready — its node went NotReady, it was deleted or it
 * failed — → the new pod Ready). The alert is an event: it resolves `notices.eventTtlMs` after
 * it fired (the replacement is Ready by then by construction). No alert for ignored namespaces.
 * Idempotency: pairings are stored in Redis and each migration is reported under
 * `migrated:<new pod uid>`, so relists, restarts and failovers never report twice. During a
 * NotReady storm, migrations caused by node failure are recorded in the storm ledger, not
 * reported (the storm alert and its summary cover them).
 */
import { formatDuration, kubeAlert } from '../alerts.ts';
import type { CacheChange } from '../cache.ts';
import { departureOf, reasonText } from '../departure.ts';
import type { Incarnation } from '../pod-history.ts';
import type { PodRecord } from '../records.ts';
import type { Reconciler } from '../controller.ts';
import { emitOnce, eventEnd, openStormId, splitObjectKey } from './deps.ts';
import type { ReconcilerDeps } from './deps.ts';

/**
 * A ReplicaSet creates the replacement of a deleted, evicted or failed pod right away, so only a
 * pod that ended this shortly before the new one was created is its predecessor; a scale-down
 * followed later by a scale-up is not a migration.
 */
const PAIR_WINDOW_MS = 2 * 60_000;
const CLOCK_SLACK_MS = 60_000;

export function workloadKeyOf(deps: ReconcilerDeps, pod: PodRecord): string | undefined {
  const w = deps.cache.workloadOf(pod);
  return w ? `${w.kind}/${w.namespace}/${w.name}` : undefined;
}

/** When the pod's node stopped being Ready (0 when it is Ready or unknown). */
function lostByNode(deps: ReconcilerDeps, node: string): number {
  const ready = node ? deps.cache.node(node)?.conditions.find((c) => c.type === 'Ready') : undefined;
  return ready && ready.status !== 'True' ? ready.lastTransition : 0;
}

function observe(deps: ReconcilerDeps, pod: PodRecord, prev: Incarnation | undefined, now: number): Incarnation {
  const inc: Incarnation = prev
    ? { ...prev }
    : {
        uid: pod.metadata.uid,
        name: pod.metadata.name,
        ownerUid: pod.owner?.uid ?? '',
        node: '',
        ip: '',
        createdAt: pod.metadata.createdAt,
        readyAt: 0,
        endedAt: 0,
        reason: '',
        detail: '',
      };
  if (pod.nodeName) inc.node = pod.nodeName;
  if (pod.podIP) inc.ip = pod.podIP;
  if (!inc.readyAt && pod.ready) inc.readyAt = pod.readyAt || now;
  const ended = pod.deletedAt > 0 || pod.phase === 'Failed' || pod.phase === 'Succeeded';
  if (pod.ready && !ended) delete inc.lostAt;
  else if (inc.readyAt && !inc.lostAt) inc.lostAt = (!pod.ready && pod.unreadyAt) || lostByNode(deps, inc.node) || pod.deletedAt || now;
  if (ended) {
    if (!inc.endedAt) inc.endedAt = pod.deletedAt || pod.disruptionAt || now;
    const d = departureOf(deps.cache, pod, { namespace: pod.metadata.namespace, name: pod.metadata.name, node: inc.node });
    inc.reason = d.reason;
    inc.detail = d.detail;
  }
  return inc;
}

export function createPodMigrationReconciler(deps: ReconcilerDeps): Reconciler {
  const { cache } = deps;
  return {
    name: 'pod-migration',
    keysFor(change: CacheChange) {
      if (change.kind === 'Pod') {
        const k = workloadKeyOf(deps, change.obj as PodRecord);
        return k ? [k] : [];
      }
      if (change.kind === 'Event' && 'involved' in change.obj && change.obj.involved.kind === 'Pod') {
        const pod = cache.pod(change.obj.involved.namespace, change.obj.involved.name);
        const k = pod && workloadKeyOf(deps, pod);
        return k ? [k] : [];
      }
      return [];
    },
    *allKeys() {
      const seen = new Set<string>();
      for (const pod of cache.pods()) {
        const k = workloadKeyOf(deps, pod);
        if (k && !seen.has(k)) {
          seen.add(k);
          yield k;
        }
      }
    },
    async reconcile(key) {
      const { kind, namespace, name } = splitObjectKey(key);
      const workload = cache.workload(kind as 'StatefulSet', namespace, name);
      const pods = cache.podsOfWorkload(kind, namespace, name);
      const stored = await deps.history.load(key);
      if (pods.length === 0 && stored.size === 0) return;
      const now = Date.now();
      const changed = new Map<string, Incarnation>();
      const put = (inc: Incarnation) => {
        const before = stored.get(inc.uid);
        if (!before || JSON.stringify(before) !== JSON.stringify(inc)) changed.set(inc.uid, inc);
        stored.set(inc.uid, inc);
      };
      const live = new Set<string>();
      for (const pod of pods) {
        live.add(pod.metadata.uid);
        put(observe(deps, pod, stored.get(pod.metadata.uid), now));
      }
      for (const inc of [...stored.values()]) {
        if (live.has(inc.uid) || inc.endedAt) continue;
        const last = cache.deletedPod(namespace, inc.name);
        if (last?.metadata.uid === inc.uid) {
          put(observe(deps, last, inc, now));
          continue;
        }
        const d = departureOf(cache, undefined, { namespace, name: inc.name, node: inc.node });
        const lostAt = inc.lostAt || lostByNode(deps, inc.node) || now;
        put({ ...inc, endedAt: now, endLate: true, ...(inc.readyAt ? { lostAt } : {}), reason: d.reason, detail: d.detail });
      }
      const storm = deps.storm();
      for (const pod of pods) {
        const inc = stored.get(pod.metadata.uid);
        if (!inc || inc.pred !== undefined || inc.endedAt || !inc.readyAt || !inc.node) continue;
        const candidates = [...stored.values()].filter(
          (c) =>
            c.uid !== inc.uid &&
            c.endedAt > 0 &&
            !c.succ &&
            (kind === 'StatefulSet'
              ? c.name === inc.name
              : c.ownerUid === inc.ownerUid &&
                (c.endLate || c.endedAt <= inc.createdAt + CLOCK_SLACK_MS) &&
                c.endedAt >= inc.createdAt - PAIR_WINDOW_MS),
        );
        candidates.sort((a, b) => b.endedAt - a.endedAt);
        const prev = candidates[0];
        if (!prev) {
          put({ ...inc, pred: '' });
          continue;
        }
        put({ ...inc, pred: prev.uid });
        put({ ...prev, succ: inc.uid });
        if (!prev.node || prev.node === inc.node) continue;
        // Caused by a firstmate operation: its result message names it; not an incident of its own.
        if (prev.reason === 'operation') continue;
        const ipKept = !!prev.ip && prev.ip === inc.ip;
        if (storm.active && prev.reason === 'node-failure' && storm.notReady.has(prev.node)) {
          const move = { pod: `${namespace}/${inc.name}`, from: prev.node, to: inc.node, ipKept };
          await deps.ledger.moved(await openStormId(deps), inc.uid, move, key);
          continue;
        }
        if (deps.notices.ignoreNamespaces.has(namespace)) continue;
        const stoppedAt = prev.lostAt || prev.endedAt;
        const short = stoppedAt && inc.readyAt ? Math.max(0, inc.readyAt - stoppedAt) : 0;
        const why = reasonText[prev.reason as keyof typeof reasonText] ?? prev.reason;
        const annotations = workload?.annotations ?? pod.annotations;
        await emitOnce(
          deps,
          `migrated:${inc.uid}`,
          kubeAlert({
            alertname: 'KubePodMigrated',
            cluster: deps.cluster,
            severity: 'warning',
            namespace,
            pod: inc.name,
            node: inc.node,
            workload: `${kind}/${name}`,
            reason: prev.reason,
            labels: { from_node: prev.node },
            ...(annotations ? { ownerAnnotations: annotations } : {}),
            summary: `${namespace}/${inc.name} moved from ${prev.node} to ${inc.node} (${why})`,
            description: [
              `${kind} ${namespace}/${name}: pod ${prev.name} on ${prev.node} ended (${why}${prev.detail && prev.detail !== prev.reason ? `, ${prev.detail}` : ''});`,
              `${inc.name} is Ready on ${inc.node}.`,
              ipKept ? `The pod IP stayed ${inc.ip}.` : `The pod IP changed from ${prev.ip || 'none'} to ${inc.ip || 'none'}.`,
              short ? `The workload was one pod short for ${formatDuration(short)}.` : '',
            ]
              .filter(Boolean)
              .join(' '),
            annotations: {
              from_node: prev.node,
              to_node: inc.node,
              old_ip: prev.ip,
              new_ip: inc.ip,
              ip_kept: String(ipKept),
              old_pod: prev.name,
              reason_detail: prev.detail,
              short_seconds: String(Math.round(short / 1000)),
            },
            startsAt: inc.readyAt || now,
            endsAt: eventEnd(deps),
            ip: inc.ip,
          }),
        );
      }
      if (changed.size) await deps.history.save(key, [...changed.values()], stored);
    },
  };
}
