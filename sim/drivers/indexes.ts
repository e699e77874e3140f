/**
 * Indexes the behaviour drivers need on large clusters: pods by node and pods by controlling
 * owner uid, kept current from the store's change stream.
 */
import type { Store } from '../store.ts';
import type { KubeObject, OwnerReference, Pod } from '../types.ts';

export interface PodIndexes {
  /** Keys (`ns/name`) of pods bound to a node. */
  onNode(node: string): string[];
  /** Keys of pods whose controller owner has this uid. */
  ownedBy(uid: string): string[];
  /** Keys of ReplicaSets whose controller owner (a Deployment) has this uid. */
  replicaSetsOwnedBy(uid: string): string[];
  /** Stored pod objects bound to a node (read only, not copies). */
  podsOnNode(node: string): Pod[];
  close(): void;
}

export function podKey(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller) ?? obj.metadata.ownerReferences?.[0];
}

function addTo(map: Map<string, Set<string>>, k: string | undefined, v: string): void {
  if (!k) return;
  let set = map.get(k);
  if (!set) map.set(k, (set = new Set()));
  set.add(v);
}

function removeFrom(map: Map<string, Set<string>>, k: string | undefined, v: string): void {
  if (!k) return;
  const set = map.get(k);
  if (!set) return;
  set.delete(v);
  if (set.size === 0) map.delete(k);
}

export function createPodIndexes(store: Store): PodIndexes {
  const byNode = new Map<string, Set<string>>();
  const byOwner = new Map<string, Set<string>>();
  const rsByOwner = new Map<string, Set<string>>();
  const add = (p: KubeObject): void => {
    const key = podKey(p);
    addTo(byNode, (p as Pod).spec?.nodeName, key);
    addTo(byOwner, controllerOf(p)?.uid, key);
  };
  const remove = (p: KubeObject): void => {
    const key = podKey(p);
    removeFrom(byNode, (p as Pod).spec?.nodeName, key);
    removeFrom(byOwner, controllerOf(p)?.uid, key);
  };
  for (const p of store.scan('pods')) add(p);
  for (const rs of store.scan('replicasets')) addTo(rsByOwner, controllerOf(rs)?.uid, podKey(rs));
  const unsubscribe = store.subscribe((e) => {
    if (e.resource === 'replicasets') {
      if (e.old) removeFrom(rsByOwner, controllerOf(e.old)?.uid, podKey(e.old));
      if (e.type !== 'DELETED') addTo(rsByOwner, controllerOf(e.object)?.uid, podKey(e.object));
      return;
    }
    if (e.resource !== 'pods') return;
    if (e.old) remove(e.old);
    if (e.type !== 'DELETED') add(e.object);
  });
  const podGet = (key: string): Pod | undefined => {
    const slash = key.indexOf('/');
    return store.peek('pods', key.slice(0, slash), key.slice(slash + 1)) as Pod | undefined;
  };
  return {
    onNode: (node) => [...(byNode.get(node) ?? [])],
    ownedBy: (uid) => [...(byOwner.get(uid) ?? [])],
    replicaSetsOwnedBy: (uid) => [...(rsByOwner.get(uid) ?? [])],
    podsOnNode: (node) => [...(byNode.get(node) ?? [])].map(podGet).filter((p): p is Pod => p !== undefined),
    close: unsubscribe,
  };
}
