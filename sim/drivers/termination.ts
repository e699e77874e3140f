/**
 * The kubelet's side of graceful pod deletion: a pod marked for deletion (`deletionTimestamp`,
 * `deletionGracePeriodSeconds`) keeps running, shown as Terminating, for its grace period and is
 * then removed from the store. A shortened grace (a second delete) reschedules the removal; a pod
 * whose node is not Ready stays Terminating until the node is back, as with a real kubelet that
 * cannot report. `scale` turns grace seconds into wall-clock time (1 = real time).
 * Inputs: pod and node changes. Output: the final delete, guarded by the pod's uid. Idempotent.
 */
import type { Store } from '../store.ts';
import type { Node, Pod, StoreEvent } from '../types.ts';
import { podKey } from './indexes.ts';
import { isNodeReady } from './scheduler.ts';

export interface Termination {
  close(): void;
}

export function createTermination(store: Store, scale: number): Termination {
  const timers = new Map<string, { uid: string; grace: number; timer: NodeJS.Timeout }>();
  /** Terminating pods whose node is not Ready, by node. */
  const stalled = new Map<string, Set<string>>();

  function cancel(key: string): void {
    const t = timers.get(key);
    if (t) clearTimeout(t.timer);
    timers.delete(key);
  }

  function finish(namespace: string, name: string, uid: string): void {
    const pod = store.peek('pods', namespace, name);
    if (!pod || pod.metadata.uid !== uid) return;
    store.delete('pods', namespace, name, { uid });
  }

  function track(pod: Pod): void {
    const key = podKey(pod);
    const grace = pod.metadata.deletionGracePeriodSeconds ?? 0;
    const uid = pod.metadata.uid!;
    const known = timers.get(key);
    if (known && known.uid === uid && known.grace <= grace) return;
    cancel(key);
    const nodeName = pod.spec.nodeName;
    const node = nodeName ? (store.peek('nodes', undefined, nodeName) as Node | undefined) : undefined;
    if (node && !isNodeReady(node)) {
      let set = stalled.get(nodeName!);
      if (!set) stalled.set(nodeName!, (set = new Set()));
      set.add(key);
      return;
    }
    const timer = setTimeout(
      () => {
        timers.delete(key);
        finish(pod.metadata.namespace!, pod.metadata.name!, uid);
      },
      Math.max(0, grace * 1000 * scale),
    );
    timer.unref();
    timers.set(key, { uid, grace, timer });
  }

  function resume(node: string): void {
    const keys = stalled.get(node);
    if (!keys) return;
    stalled.delete(node);
    for (const key of keys) {
      const slash = key.indexOf('/');
      const pod = store.peek('pods', key.slice(0, slash), key.slice(slash + 1)) as Pod | undefined;
      if (pod?.metadata.deletionTimestamp) track(pod);
    }
  }

  const onEvent = (e: StoreEvent): void => {
    if (e.resource === 'pods') {
      if (e.type === 'DELETED') cancel(podKey(e.object));
      else if (e.object.metadata.deletionTimestamp) track(e.object as Pod);
    } else if (e.resource === 'nodes' && e.type !== 'DELETED' && stalled.has(e.object.metadata.name!)) {
      if (isNodeReady(e.object as Node)) resume(e.object.metadata.name!);
    }
  };
  for (const pod of store.scan('pods')) if (pod.metadata.deletionTimestamp) track(pod as Pod);
  const unsubscribe = store.subscribe(onEvent);
  return {
    close() {
      unsubscribe();
      for (const key of [...timers.keys()]) cancel(key);
    },
  };
}
