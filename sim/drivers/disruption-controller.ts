/**
 * The disruption controller: keeps each PodDisruptionBudget's status current as its pods and
 * their controllers change, with the real controller's rules. expectedPods is the number of
 * matching pods for an integer `minAvailable`, else the sum of the scale (replicas) of the pods'
 * controllers (a ReplicaSet of a Deployment counts as the Deployment; a controller without a
 * scale, e.g. a DaemonSet or Job, makes the budget fail safe: 0 disruptions, condition SyncFailed).
 * currentHealthy counts Ready pods that are neither terminating nor recorded in `disruptedPods`
 * by a recent eviction; desiredHealthy comes from minAvailable or expectedPods − maxUnavailable
 * (percentages rounded up); disruptionsAllowed = max(0, currentHealthy − desiredHealthy).
 * Input: `ns/name` of a budget. Output: a status write only when something changed. Idempotent.
 */
import { resourceForObject } from '../resources.ts';
import { matchSelector } from '../selectors.ts';
import type { Store } from '../store.ts';
import type { Budget } from '../eviction.ts';
import type { KubeObject, Pod, StoreEvent, Workload } from '../types.ts';
import { controllerOf } from './indexes.ts';
import { isReady } from './pod-template.ts';
import { quantityExact } from '../../kube/quantity.ts';

/** How long an eviction's entry in `disruptedPods` keeps a pod out of currentHealthy. */
const DELETION_TIMEOUT_MS = 2 * 60_000;

type Matcher = (obj: KubeObject) => boolean;

function scaled(value: number | string, total: number): number {
  if (typeof value === 'number') return value;
  if (value.endsWith('%')) return Math.ceil((quantityExact(value.slice(0, -1)) * total) / 100);
  return Number(value);
}

function controllerScale(store: Store, pod: Pod): { uid: string; replicas: number } | string | undefined {
  const ref = controllerOf(pod);
  if (!ref) return undefined;
  const ns = pod.metadata.namespace;
  let owner: KubeObject | undefined;
  try {
    owner = store.peek(resourceForObject(ref).id, ns, ref.name);
  } catch {
    owner = undefined;
  }
  if (!owner || owner.metadata.uid !== ref.uid) return `found no controller ${ref.kind} ${ref.name} for pod ${pod.metadata.name}`;
  if (ref.kind === 'ReplicaSet') {
    const parent = controllerOf(owner);
    const deploy = parent?.kind === 'Deployment' ? (store.peek('deployments', ns, parent.name) as Workload | undefined) : undefined;
    if (deploy && deploy.metadata.uid === parent!.uid) return { uid: deploy.metadata.uid!, replicas: deploy.spec.replicas ?? 1 };
  }
  if (!['ReplicaSet', 'StatefulSet', 'Deployment'].includes(ref.kind))
    return `${ref.kind.toLowerCase()}s "${ref.name}" has no scale subresource: cannot compute the expected pods of pod ${pod.metadata.name}`;
  return { uid: owner.metadata.uid!, replicas: (owner as Workload).spec.replicas ?? 1 };
}

/** The status a budget has with these (matching) pods at `now`; throws a message when it cannot be computed. */
export function budgetStatus(store: Store, pdb: Budget, pods: Pod[], now: number): NonNullable<Budget['status']> {
  const spec = pdb.spec ?? {};
  let expected = pods.length;
  let desired = 0;
  const needScale = spec.maxUnavailable !== undefined || typeof spec.minAvailable === 'string';
  if (needScale) {
    const scales = new Map<string, number>();
    for (const pod of pods) {
      const found = controllerScale(store, pod);
      if (typeof found === 'string') throw new Error(found);
      if (found) scales.set(found.uid, found.replicas);
    }
    expected = [...scales.values()].reduce((a, b) => a + b, 0);
  }
  if (spec.maxUnavailable !== undefined) desired = Math.max(0, expected - scaled(spec.maxUnavailable, expected));
  else if (spec.minAvailable !== undefined) desired = scaled(spec.minAvailable, expected);
  const disrupted: Record<string, string> = {};
  const byName = new Map(pods.map((p) => [p.metadata.name!, p]));
  for (const [name, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
    const pod = byName.get(name);
    if (pod && !pod.metadata.deletionTimestamp && Date.parse(at) + DELETION_TIMEOUT_MS > now) disrupted[name] = at;
  }
  let healthy = 0;
  for (const pod of pods) if (!pod.metadata.deletionTimestamp && !(pod.metadata.name! in disrupted) && isReady(pod)) healthy++;
  const status: NonNullable<Budget['status']> = {
    observedGeneration: pdb.metadata.generation ?? 1,
    disruptionsAllowed: Math.max(0, healthy - desired),
    currentHealthy: healthy,
    desiredHealthy: desired,
    expectedPods: expected,
  };
  if (Object.keys(disrupted).length) status.disruptedPods = disrupted;
  return status;
}

function condition(old: Budget['status'], status: string, reason: string, message: string, generation: number, ts: string) {
  const prior = (old?.conditions as { type: string; status: string; lastTransitionTime?: string }[] | undefined)?.find(
    (c) => c.type === 'DisruptionAllowed',
  );
  const lastTransitionTime = prior && prior.status === status && prior.lastTransitionTime ? prior.lastTransitionTime : ts;
  return [{ type: 'DisruptionAllowed', status, reason, message, observedGeneration: generation, lastTransitionTime }];
}

export interface DisruptionController {
  /** Keys (`ns/name`) of the budgets a change may affect. */
  affected(e: StoreEvent): string[];
  reconcile(namespace: string, name: string): void;
}

export function createDisruptionController(store: Store, clock: { now(): number; iso(): string }): DisruptionController {
  const budgets = new Map<string, Map<string, Matcher | undefined>>();
  const remember = (pdb: Budget): void => {
    const ns = pdb.metadata.namespace!;
    let inNs = budgets.get(ns);
    if (!inNs) budgets.set(ns, (inNs = new Map()));
    inNs.set(pdb.metadata.name!, pdb.spec?.selector ? matchSelector(pdb.spec.selector) : undefined);
  };
  const forget = (pdb: KubeObject): void => {
    const inNs = budgets.get(pdb.metadata.namespace!);
    inNs?.delete(pdb.metadata.name!);
    if (inNs?.size === 0) budgets.delete(pdb.metadata.namespace!);
  };
  for (const pdb of store.scan('poddisruptionbudgets')) remember(pdb as Budget);

  return {
    affected(e) {
      const ns = e.object.metadata.namespace ?? '';
      if (e.resource === 'poddisruptionbudgets') {
        if (e.type === 'DELETED') {
          forget(e.object);
          return [];
        }
        remember(e.object as Budget);
        return [`${ns}/${e.object.metadata.name}`];
      }
      const inNs = budgets.get(ns);
      if (!inNs) return [];
      const keys: string[] = [];
      for (const [name, matches] of inNs) {
        if (e.resource !== 'pods' || (matches && (matches(e.object) || (e.old !== undefined && matches(e.old)))))
          keys.push(`${ns}/${name}`);
      }
      return keys;
    },
    reconcile(namespace, name) {
      const pdb = store.peek('poddisruptionbudgets', namespace, name) as Budget | undefined;
      if (!pdb) return;
      const generation = pdb.metadata.generation ?? 1;
      const ts = clock.iso();
      let status: NonNullable<Budget['status']>;
      if (!pdb.spec?.selector) {
        status = { observedGeneration: generation, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
      } else {
        const matches = matchSelector(pdb.spec.selector);
        const pods = (store.list('pods', { namespace }).items as Pod[]).filter((p) => matches(p));
        try {
          status = budgetStatus(store, pdb, pods, clock.now());
        } catch (err) {
          status = { ...(pdb.status ?? {}), observedGeneration: generation, disruptionsAllowed: 0 };
          status.conditions = condition(pdb.status, 'False', 'SyncFailed', (err as Error).message, generation, ts);
        }
      }
      if (!status.conditions) {
        const allowed = (status.disruptionsAllowed ?? 0) > 0;
        status.conditions = condition(
          pdb.status,
          allowed ? 'True' : 'False',
          allowed ? 'SufficientPods' : 'InsufficientPods',
          '',
          generation,
          ts,
        );
      }
      if (JSON.stringify(status) === JSON.stringify(pdb.status)) return;
      store.mutate(
        'poddisruptionbudgets',
        namespace,
        name,
        (o) => {
          o.status = status;
        },
        'status',
      );
    },
  };
}
