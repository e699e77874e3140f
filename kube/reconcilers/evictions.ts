/**
 * Pod evictions (`KubePodEvicted`).
 *
 * Inputs: `Pod/ns/name` keys for pods the kubelet evicted (`status.reason: Evicted`), pods with
 * a `DisruptionTarget` condition from the taint manager, the scheduler (preemption) or the
 * kubelet, and pods with `Evicted` / `TaintManagerEviction` / `Preempted` events; the pod (or
 * its last state when already deleted) and its events from the cache.
 * Outputs: one alert per evicted pod incarnation, saying which kind of eviction (kubelet
 * pressure and which resource, taint-manager eviction after node failure, preemption) and where.
 * A preemption waits up to 3 s for the scheduler's `Preempted` event, which names the preemptor.
 * The alert is an event: it resolves `notices.eventTtlMs` after it fired. No alert for ignored
 * namespaces.
 * Idempotency: reported under `evicted:<pod uid>` in Redis. During a NotReady storm,
 * taint-manager evictions from the storm's nodes are marked reported without being emitted and
 * counted in the storm ledger: the storm alert and its summary cover them; they never fire later.
 */
import { kubeAlert } from '../alerts.ts';
import type { CacheChange } from '../cache.ts';
import type { Reconciler, ReconcileResult } from '../controller.ts';
import { pressureOf } from '../departure.ts';
import type { EventRecord, PodRecord } from '../records.ts';
import { emitOnce, eventEnd, openStormId, splitObjectKey } from './deps.ts';
import type { ReconcilerDeps } from './deps.ts';

const EVENT_REASONS = new Set(['Evicted', 'TaintManagerEviction', 'Preempted']);
const DISRUPTIONS = new Set(['DeletionByTaintManager', 'PreemptionByScheduler', 'PreemptionByKubeScheduler', 'TerminationByKubelet']);

interface Eviction {
  uid: string;
  kind: 'kubelet' | 'taint-manager' | 'preempted';
  detail: string;
  message: string;
  at: number;
  /** The scheduler's `Preempted` event (naming the preemptor) has not arrived yet. */
  waitForEvent?: boolean;
}

function evictionOf(pod: PodRecord | undefined, events: EventRecord[]): Eviction | undefined {
  if (pod?.reason === 'Evicted' || pod?.disruption === 'TerminationByKubelet') {
    return {
      uid: pod.metadata.uid,
      kind: 'kubelet',
      detail: pressureOf(pod.message),
      message: pod.message,
      at: pod.disruptionAt || Date.now(),
    };
  }
  if (pod?.disruption === 'DeletionByTaintManager') {
    return {
      uid: pod.metadata.uid,
      kind: 'taint-manager',
      detail: 'node-failure',
      message: `taint manager evicted the pod from ${pod.nodeName}`,
      at: pod.disruptionAt,
    };
  }
  if (pod && pod.disruption.startsWith('Preemption')) {
    const said = events.find((e) => e.reason === 'Preempted' && (!e.involved.uid || e.involved.uid === pod.metadata.uid));
    return {
      uid: pod.metadata.uid,
      kind: 'preempted',
      detail: 'preempted',
      message: said?.message || pod.message || 'preempted by the scheduler',
      at: pod.disruptionAt,
      ...(said ? {} : { waitForEvent: true }),
    };
  }
  for (const e of events) {
    if (pod && e.involved.uid && e.involved.uid !== pod.metadata.uid) continue;
    const uid = e.involved.uid || pod?.metadata.uid || `${e.metadata.uid}`;
    if (e.reason === 'TaintManagerEviction')
      return { uid, kind: 'taint-manager', detail: 'node-failure', message: e.message, at: e.firstAt };
    if (e.reason === 'Preempted') return { uid, kind: 'preempted', detail: 'preempted', message: e.message, at: e.firstAt };
    if (e.reason === 'Evicted') return { uid, kind: 'kubelet', detail: pressureOf(e.message), message: e.message, at: e.firstAt };
  }
  return undefined;
}

/** How long a preemption waits for the scheduler's event before it is reported without it. */
const EVENT_GRACE_MS = 3000;

const kindText = {
  kubelet: 'evicted by the kubelet',
  'taint-manager': 'evicted by the taint manager (node failure)',
  preempted: 'preempted',
};

export function createEvictionsReconciler(deps: ReconcilerDeps): Reconciler {
  const { cache } = deps;
  const podKey = (ns: string, name: string) => `Pod/${ns}/${name}`;
  return {
    name: 'evictions',
    keysFor(change: CacheChange) {
      if (change.kind === 'Pod') {
        const p = change.obj as PodRecord;
        return p.reason === 'Evicted' || DISRUPTIONS.has(p.disruption) ? [podKey(p.metadata.namespace, p.metadata.name)] : [];
      }
      if (change.kind === 'Event' && change.verb !== 'delete') {
        const e = change.obj as EventRecord;
        if (e.involved.kind === 'Pod' && EVENT_REASONS.has(e.reason)) return [podKey(e.involved.namespace, e.involved.name)];
      }
      return [];
    },
    *allKeys() {
      for (const p of cache.pods())
        if (p.reason === 'Evicted' || DISRUPTIONS.has(p.disruption)) yield podKey(p.metadata.namespace, p.metadata.name);
    },
    async reconcile(key) {
      const { namespace, name } = splitObjectKey(key);
      const live = cache.pod(namespace, name);
      const gone = cache.deletedPod(namespace, name);
      // A StatefulSet pod's replacement has the same name: the evicted one is then only among the deleted.
      const pods = live && gone && gone.metadata.uid !== live.metadata.uid ? [live, gone] : [live ?? gone];
      let result: ReconcileResult | undefined;
      for (const pod of pods) result = (await reportOne(namespace, name, pod)) ?? result;
      return result;
    },
  };

  async function reportOne(namespace: string, name: string, pod: PodRecord | undefined): Promise<ReconcileResult | undefined> {
    const ev = evictionOf(pod, cache.eventsFor('Pod', namespace, name));
    if (!ev) return;
    const node = pod?.nodeName ?? '';
    const id = `evicted:${ev.uid}`;
    const age = Date.now() - (ev.at || Date.now());
    if (ev.waitForEvent && age < EVENT_GRACE_MS) return { requeueAfterMs: EVENT_GRACE_MS - age };
    const storm = deps.storm();
    const w = pod ? cache.workloadOf(pod) : undefined;
    if (storm.active && ev.kind === 'taint-manager' && (!node || storm.notReady.has(node))) {
      if (await deps.reports.has(id)) return;
      await deps.ledger.evicted(await openStormId(deps), ev.uid, w && `${w.kind}/${w.namespace}/${w.name}`);
      await deps.reports.mark(id);
      return;
    }
    if (deps.notices.ignoreNamespaces.has(namespace)) return;
    const reason = ev.kind === 'kubelet' ? ev.detail : ev.kind;
    await emitOnce(
      deps,
      id,
      kubeAlert({
        alertname: 'KubePodEvicted',
        cluster: deps.cluster,
        severity: 'warning',
        namespace,
        pod: name,
        node,
        reason,
        ...(w ? { workload: `${w.kind}/${w.name}` } : {}),
        ...((w?.record?.annotations ?? pod?.annotations) ? { ownerAnnotations: w?.record?.annotations ?? pod?.annotations } : {}),
        summary: `${namespace}/${name} was ${kindText[ev.kind]}${node ? ` on ${node}` : ''}${ev.kind === 'kubelet' ? ` (${ev.detail})` : ''}`,
        description: ev.message || kindText[ev.kind],
        annotations: { eviction: ev.kind, detail: ev.detail, message: ev.message },
        startsAt: ev.at || Date.now(),
        endsAt: eventEnd(deps),
        ...(pod?.podIP ? { ip: pod.podIP } : {}),
      }),
    );
  }
}
