/**
 * The behaviour drivers of a simulated cluster, wired to one store: the scheduler and kubelet
 * (with graceful pod termination), the StatefulSet, ReplicaSet, Deployment, DaemonSet, Job and
 * disruption (PodDisruptionBudget status) controllers, garbage collection of owned objects,
 * node failure with taint-based eviction, OOM kills, memory-pressure evictions and preemption.
 * Controllers react to store changes on the next turn of the event loop; `settle()` runs them to
 * quiescence synchronously (used to build clusters and by tests that want no waiting).
 */
import { systemClock } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { Random } from '../random.ts';
import { resourceForObject } from '../resources.ts';
import type { Store } from '../store.ts';
import type { KubeObject, Node, Pod, StoreEvent } from '../types.ts';
import { terminatePod } from '../deletion.ts';
import { createDaemonSetController } from './daemonset-controller.ts';
import { createDisruptionController } from './disruption-controller.ts';
import { createEventRecorder } from './events.ts';
import type { EventInput } from './events.ts';
import { controllerOf, createPodIndexes } from './indexes.ts';
import { createIpam } from './ipam.ts';
import type { NetworkMode } from './ipam.ts';
import { createJobController } from './job-controller.ts';
import { createKubelet } from './kubelet.ts';
import { finishPod } from './pod-exit.ts';
import { createPodFailures } from './pod-failures.ts';
import type { PodFailures } from './pod-failures.ts';
import { createNodeLifecycle } from './node-lifecycle.ts';
import type { NodeLifecycleOptions, NodeNotReadyOptions } from './node-lifecycle.ts';
import type { ZoneState } from './zone-tainter.ts';
import { createReplicaSetController } from './replicaset-controller.ts';
import { createScheduler } from './scheduler.ts';
import { createStatefulSetController } from './statefulset-controller.ts';
import { createTermination } from './termination.ts';
import { backoffDelay } from '../../core/backoff.ts';

export interface DriverOptions {
  /** Default network mode of StatefulSet pods (default `per-node`). */
  networkMode?: NetworkMode;
  /** Eviction grace after a node becomes unreachable, for pods without tolerationSeconds (default 300 000). */
  podEvictionGraceMs?: number;
  /** Zone-aware eviction rate limiting and node leases of the node lifecycle controller. */
  nodeLifecycle?: NodeLifecycleOptions;
  random: Random;
  /** Time source (default: the wall clock); the store should share it. */
  clock?: Clock;
  /** Settle the loaded cluster at once without recording events (as if it had been running for a while). */
  quietBootstrap?: boolean;
  /** Wall-clock time per second of a pod's termination grace period (1 = real time, 0.01: 30 s last 300 ms; default 1). */
  gracePeriodScale?: number;
  /** The apps/v1 StatefulSet controller honours the label protocol of a patched controller (see statefulset-controller.ts). */
  statefulsetLabelProtocol?: boolean;
}

/** Test and demo handles on the simulated cluster's behaviour. */
export interface Drivers {
  /** Runs every controller until nothing is left to do. */
  settle(): void;
  nodeNotReady(name: string, options?: NodeNotReadyOptions): Node;
  nodeReady(name: string): Node;
  /** Cuts nodes off the control plane (needs node leases): NotReady once their leases expire. */
  partition(nodes: string[]): void;
  /** Ends a partition (every node when none are named); returns the nodes let through. */
  heal(nodes?: string[]): string[];
  /** Disruption state per zone, as the node lifecycle controller sees it. */
  zoneStates(): Map<string, ZoneState>;
  /** OOM-kills a container (default: the first) and restarts it; writes the node's `OOMKilling` event. */
  oomKill(namespace: string, pod: string, container?: string): Pod;
  /** Kubelet node-pressure eviction of one pod (phase Failed, reason Evicted, `Evicted` event). */
  evictForMemoryPressure(namespace: string, pod: string): Pod;
  /** Sets or clears the node's MemoryPressure condition and taint. */
  setMemoryPressure(node: string, pressure: boolean): Node;
  /** The pod's containers exit with this code (default 0): phase Succeeded (0) or Failed; for Job pods. */
  finishPod(namespace: string, pod: string, exitCode?: number): Pod;
  /** Everyday kubelet-reported failures: crash loop, image pull, probe, volume mount. */
  failures: PodFailures;
  /** Scheduler preemption of a pod (`Preempted` event, then deletion). */
  preempt(namespace: string, pod: string, by?: { namespace: string; name: string }): Pod;
  /** Records a core/v1 Event through the store. */
  recordEvent(input: EventInput): KubeObject;
  /** The fixed IP reserved for a pod name (fixed-ip network mode), if any. */
  reservedIp(namespace: string, pod: string): string | undefined;
  close(): void;
}

const WORKLOADS = new Set([
  'statefulsets',
  'statefulsets.apps.kruise.io',
  'statefulsets.apps.pingcap.com',
  'replicasets',
  'deployments',
  'daemonsets',
  'jobs',
]);

export function createDrivers(store: Store, options: DriverOptions): Drivers {
  const clock = options.clock ?? systemClock;
  const recordAlways = createEventRecorder(store, clock);
  let muted = false;
  const record = (input: EventInput): KubeObject | undefined => (muted ? undefined : recordAlways(input));
  const indexes = createPodIndexes(store);
  const ipam = createIpam(store, indexes, options.networkMode ?? 'per-node');
  const kubelet = createKubelet(store, record, options.random, clock);
  const scheduler = createScheduler(store, indexes, ipam, kubelet, record, options.random, clock);
  const sts = createStatefulSetController(store, indexes, record, { labelProtocol: options.statefulsetLabelProtocol });
  const rs = createReplicaSetController(store, indexes, record);
  const ds = createDaemonSetController(store, indexes, record);
  const jobs = createJobController(store, indexes, record, clock);
  const lifecycle = createNodeLifecycle(
    store,
    indexes,
    record,
    { podEvictionGraceMs: options.podEvictionGraceMs ?? 300_000, ...options.nodeLifecycle },
    clock,
  );
  const disruption = createDisruptionController(store, clock);
  const termination = createTermination(store, options.gracePeriodScale ?? 1);

  const queues = {
    schedule: new Set<string>(),
    sts: new Set<string>(),
    rs: new Set<string>(),
    deploy: new Set<string>(),
    gc: new Set<string>(),
    ds: new Set<string>(),
    job: new Set<string>(),
    pdb: new Set<string>(),
  };
  let scheduled: NodeJS.Immediate | undefined;
  let closed = false;

  const kick = (): void => {
    if (scheduled || closed) return;
    scheduled = setImmediate(() => {
      scheduled = undefined;
      try {
        settle();
      } catch (err) {
        process.emitWarning(new Error('sim controllers failed', { cause: err }));
      }
    });
  };

  function enqueueOwner(obj: KubeObject): void {
    const owner = controllerOf(obj);
    if (!owner) return;
    const key = `${obj.metadata.namespace}/${owner.name}`;
    if (owner.kind === 'StatefulSet') {
      try {
        queues.sts.add(`${resourceForObject(owner).id}|${key}`);
      } catch {
        // owned by a StatefulSet flavour the sim does not serve: nothing drives it
      }
    } else if (owner.kind === 'ReplicaSet') queues.rs.add(key);
    else if (owner.kind === 'Deployment') queues.deploy.add(key);
    else if (owner.kind === 'DaemonSet') queues.ds.add(key);
    else if (owner.kind === 'Job') queues.job.add(key);
  }

  /** Queues a workload's own reconcile. */
  function enqueue(resource: string, key: string): void {
    if (resource === 'replicasets') queues.rs.add(key);
    else if (resource === 'deployments') queues.deploy.add(key);
    else if (resource === 'daemonsets') queues.ds.add(key);
    else if (resource === 'jobs') queues.job.add(key);
    else queues.sts.add(`${resource}|${key}`);
  }

  function route(e: StoreEvent): void {
    const obj = e.object;
    for (const key of disruption.affected(e)) queues.pdb.add(key);
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    if (e.resource === 'pods') {
      if (e.type !== 'DELETED' && (!(obj as Pod).spec?.nodeName || !(obj as Pod).status?.phase)) queues.schedule.add(key);
      enqueueOwner(obj);
    } else if (e.resource === 'nodes') {
      if (e.type !== 'DELETED') queues.schedule.add('*');
      for (const d of store.scan('daemonsets')) queues.ds.add(`${d.metadata.namespace}/${d.metadata.name}`);
    } else if (WORKLOADS.has(e.resource)) {
      if (e.type === 'DELETED') queues.gc.add(`${obj.metadata.namespace}|${obj.metadata.uid}`);
      else enqueue(e.resource, key);
      if (e.resource === 'replicasets') enqueueOwner(obj);
    } else if (queues.pdb.size === 0) return;
    kick();
  }

  const take = (set: Set<string>): string[] => {
    const items = [...set];
    set.clear();
    return items;
  };

  function collect(namespace: string, uid: string): void {
    for (const key of indexes.ownedBy(uid)) {
      const name = key.slice(key.indexOf('/') + 1);
      const pod = store.peek('pods', namespace, name) as Pod | undefined;
      if (pod) terminatePod(store, pod);
    }
    for (const key of indexes.replicaSetsOwnedBy(uid)) {
      const name = key.slice(key.indexOf('/') + 1);
      if (store.peek('replicasets', namespace, name)) store.delete('replicasets', namespace, name);
    }
  }

  const split = (key: string): [string, string] => [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
  const retryTimers = new Set<NodeJS.Timeout>();
  const failures = new Map<string, number>();
  const MAX_RETRIES = 8;
  /** 50 ms doubling per failure up to 6.4 s (the eighth and last retry), like a controller's requeue. */
  const RETRY_BACKOFF = { baseMs: 50, maxMs: 6400, jitter: [1, 1] } as const;

  /** Runs one work item; a failure (e.g. a conflicting client write) is retried with backoff, like a controller's rate-limited requeue. */
  function attempt(queue: Set<string>, item: string, work: () => void): void {
    try {
      work();
      failures.delete(item);
    } catch (err) {
      const count = (failures.get(item) ?? 0) + 1;
      if (closed || count > MAX_RETRIES) {
        failures.delete(item);
        if (!closed) process.emitWarning(new Error(`sim controller gave up on ${item}`, { cause: err }));
        return;
      }
      failures.set(item, count);
      const timer = setTimeout(
        () => {
          retryTimers.delete(timer);
          queue.add(item);
          kick();
        },
        backoffDelay(count - 1, RETRY_BACKOFF),
      );
      timer.unref();
      retryTimers.add(timer);
    }
  }

  function settle(): void {
    for (let round = 0; round < 1000; round++) {
      const busy = Object.values(queues).some((q) => q.size > 0);
      if (!busy) return;
      for (const item of take(queues.gc))
        attempt(queues.gc, item, () => collect(item.slice(0, item.indexOf('|')), item.slice(item.indexOf('|') + 1)));
      for (const key of take(queues.deploy)) attempt(queues.deploy, key, () => rs.reconcileDeployment(...split(key)));
      for (const key of take(queues.rs)) attempt(queues.rs, key, () => rs.reconcileReplicaSet(...split(key)));
      for (const item of take(queues.sts)) {
        const [resource, key] = item.split('|') as [string, string];
        attempt(queues.sts, item, () => sts.reconcile(resource, ...split(key)));
      }
      for (const key of take(queues.ds)) attempt(queues.ds, key, () => ds.reconcile(...split(key)));
      for (const key of take(queues.job)) attempt(queues.job, key, () => jobs.reconcile(...split(key)));
      for (const key of take(queues.pdb)) attempt(queues.pdb, key, () => disruption.reconcile(...split(key)));
      const pending = take(queues.schedule);
      if (pending.length) attempt(queues.schedule, '*', () => scheduler.process(new Set(pending)));
    }
    throw new Error('sim controllers did not settle after 1000 rounds');
  }

  const unsubscribe = store.subscribe(route);
  for (const id of WORKLOADS) {
    for (const obj of store.scan(id)) enqueue(id, `${obj.metadata.namespace}/${obj.metadata.name}`);
  }
  for (const pdb of store.scan('poddisruptionbudgets')) queues.pdb.add(`${pdb.metadata.namespace}/${pdb.metadata.name}`);
  queues.schedule.add('*');
  if (options.quietBootstrap) {
    muted = true;
    try {
      settle();
    } finally {
      muted = false;
    }
  }

  return {
    settle,
    nodeNotReady: (name, opts) => lifecycle.nodeNotReady(name, opts),
    nodeReady: (name) => lifecycle.nodeReady(name),
    partition: (nodes) => lifecycle.partition(nodes),
    heal: (nodes) => lifecycle.heal(nodes),
    zoneStates: () => lifecycle.zoneStates(),
    oomKill: (ns, pod, container) => kubelet.oomKill(ns, pod, container),
    evictForMemoryPressure: (ns, pod) => kubelet.evictForMemoryPressure(ns, pod),
    setMemoryPressure: (node, pressure) => kubelet.setMemoryPressure(node, pressure),
    preempt: (ns, pod, by) => scheduler.preempt(ns, pod, by),
    finishPod: (ns, pod, exitCode = 0) => finishPod(store, clock, ns, pod, exitCode),
    failures: createPodFailures(store, recordAlways, clock),
    recordEvent: recordAlways,
    reservedIp: (ns, pod) => ipam.reserved(ns, pod),
    close() {
      closed = true;
      if (scheduled) clearImmediate(scheduled);
      for (const t of retryTimers) clearTimeout(t);
      scheduler.close();
      lifecycle.close();
      termination.close();
      indexes.close();
      unsubscribe();
    },
  };
}
