/**
 * The in-memory picture of the cluster: seven resilient informers (nodes, pods, events, StatefulSets, Deployments, ReplicaSets, Jobs) feeding compact records and the
 * indexes the queries and reconcilers need (pod by IP, pods by node, node by any address, pods
 * by controller and by workload, recent events by involved object). Lookups are map reads.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { ResilientInformer } from './informer.ts';
import type { BackoffOptions } from '../core/backoff.ts';
import { MultiIndex } from './multi-index.ts';
import { keyOf } from './records.ts';
import type { EventRecord, NodeRecord, PodRecord, ResourceKind, WorkloadKind, WorkloadRecord } from './records.ts';
import { createSources } from './sources.ts';
import type { KubeSources } from './sources.ts';
import type { KubeLogger, KubeMetrics } from './types.ts';

/** One change the cache applied, as reconcilers see it. */
export interface CacheChange {
  kind: ResourceKind;
  verb: 'add' | 'update' | 'delete';
  obj: NodeRecord | PodRecord | EventRecord | WorkloadRecord;
  /** The previous record on update. */
  old?: NodeRecord | PodRecord | EventRecord | WorkloadRecord;
}

export interface KubeCacheOptions {
  kubeConfig: KubeConfig;
  logger: KubeLogger;
  metrics?: KubeMetrics;
  backoff?: BackoffOptions;
  /** Items per list page (default 500). */
  pageSize?: number;
  /** Events kept per involved object (default 20). */
  eventsPerObject?: number;
  /** Overrides the informer sources (tests, other transports). */
  sources?: KubeSources;
}

/** `Kind/namespace/name`, the key of workloads and of events' involved objects. */
export const objectKey = (kind: string, namespace: string, name: string): string => `${kind}/${namespace}/${name}`;

export class KubeCache {
  private readonly informers: ResilientInformer<NodeRecord | PodRecord | EventRecord | WorkloadRecord>[] = [];
  private readonly listeners: Array<(c: CacheChange) => void> = [];
  private readonly nodesByName = new Map<string, NodeRecord>();
  private readonly nodesByAddress = new MultiIndex<NodeRecord>();
  private readonly podsByKey = new Map<string, PodRecord>();
  private readonly podsByIP = new MultiIndex<PodRecord>();
  private readonly podsByNode = new MultiIndex<PodRecord>();
  private readonly podsByOwner = new MultiIndex<PodRecord>();
  private readonly workloads = new Map<string, WorkloadRecord>();
  private readonly workloadsByUid = new Map<string, WorkloadRecord>();
  private readonly replicaSetsByOwner = new MultiIndex<WorkloadRecord>();
  private readonly eventsByKey = new Map<string, EventRecord>();
  private readonly eventsByObject = new Map<string, EventRecord[]>();
  private readonly eventsPerObject: number;
  private nodeGen = 0;
  private readonly deletedPods = new Map<string, PodRecord>();

  constructor(opts: KubeCacheOptions) {
    this.eventsPerObject = opts.eventsPerObject ?? 20;
    const sources = opts.sources ?? createSources(opts.kubeConfig);
    const common = {
      kubeConfig: opts.kubeConfig,
      logger: opts.logger,
      pageSize: opts.pageSize ?? 500,
      backoff: opts.backoff ?? { baseMs: 500, maxMs: 30_000 },
      ...(opts.metrics ? { metrics: opts.metrics } : {}),
    };
    const wire = <R extends NodeRecord | PodRecord | EventRecord | WorkloadRecord>(
      inf: ResilientInformer<R>,
      apply: (verb: 'add' | 'update' | 'delete', obj: R) => R | undefined,
    ) => {
      for (const verb of ['add', 'update', 'delete'] as const) {
        inf.on(verb, (obj) => {
          const old = apply(verb, obj);
          opts.metrics?.cacheEvent?.(obj.kind, verb);
          const change: CacheChange = { kind: obj.kind, verb, obj, ...(old ? { old } : {}) };
          for (const l of this.listeners) l(change);
        });
      }
      this.informers.push(inf as unknown as ResilientInformer<NodeRecord | PodRecord | EventRecord | WorkloadRecord>);
    };
    wire(new ResilientInformer({ ...common, source: sources.nodes }), (v, o) => this.applyNode(v, o));
    wire(new ResilientInformer({ ...common, source: sources.pods }), (v, o) => this.applyPod(v, o));
    wire(new ResilientInformer({ ...common, source: sources.events }), (v, o) => this.applyEvent(v, o));
    for (const s of [
      sources.statefulsets,
      sources.deployments,
      sources.replicasets,
      sources.kruiseStatefulsets,
      sources.pingcapStatefulsets,
      sources.jobs,
    ]) {
      wire(new ResilientInformer({ ...common, source: s }), (v, o) => this.applyWorkload(v, o));
    }
  }

  start(): void {
    for (const i of this.informers) i.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  /** True once every informer has completed its first full list. */
  synced(): boolean {
    return this.informers.every((i) => i.synced());
  }

  async waitForSync(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.waitForSync()));
  }

  /** Restarts per informer after errors. */
  restarts(): Record<string, number> {
    return Object.fromEntries(this.informers.map((i) => [i.name, i.restarts()]));
  }

  onChange(cb: (c: CacheChange) => void): () => void {
    this.listeners.push(cb);
    return () => {
      const i = this.listeners.indexOf(cb);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  // ---- nodes
  node(name: string): NodeRecord | undefined {
    return this.nodesByName.get(name);
  }

  /** Nodes with this InternalIP / ExternalIP / Hostname (or any other address type). */
  nodesByAddr(address: string): NodeRecord[] {
    return this.nodesByAddress.get(address);
  }

  nodes(): IterableIterator<NodeRecord> {
    return this.nodesByName.values();
  }

  /** Grows on every node change: lets derived cluster-wide views memoise. */
  get nodeGeneration(): number {
    return this.nodeGen;
  }

  get nodeCount(): number {
    return this.nodesByName.size;
  }

  // ---- pods
  pod(namespace: string, name: string): PodRecord | undefined {
    return this.podsByKey.get(`${namespace}/${name}`);
  }

  /** Pods with this pod IP; pods on the pod network first, then host-network ones. */
  podsWithIP(ip: string): PodRecord[] {
    return this.podsByIP
      .get(ip)
      .sort((a, b) => Number(a.hostNetwork) - Number(b.hostNetwork) || Number(!!a.deletedAt) - Number(!!b.deletedAt));
  }

  podsOnNode(node: string): PodRecord[] {
    return this.podsByNode.get(node);
  }

  podsOnNodeCount(node: string): number {
    return this.podsByNode.count(node);
  }

  /** Pods whose controller reference is this object. */
  podsOwnedBy(kind: string, namespace: string, name: string): PodRecord[] {
    return this.podsByOwner.get(objectKey(kind, namespace, name));
  }

  /** The last state of a pod deleted recently (the newest 10,000 deletions are kept). */
  deletedPod(namespace: string, name: string): PodRecord | undefined {
    return this.deletedPods.get(`${namespace}/${name}`);
  }

  pods(): IterableIterator<PodRecord> {
    return this.podsByKey.values();
  }

  get podCount(): number {
    return this.podsByKey.size;
  }

  // ---- workloads
  workload(kind: WorkloadKind, namespace: string, name: string): WorkloadRecord | undefined {
    return this.workloads.get(objectKey(kind, namespace, name));
  }

  workloadByUid(uid: string): WorkloadRecord | undefined {
    return this.workloadsByUid.get(uid);
  }

  /**
   * The workload a pod belongs to: its StatefulSet, its ReplicaSet's Deployment, or the
   * ReplicaSet itself when it has no Deployment. Falls back to the owner reference alone when
   * the owner is not (yet) in the cache.
   */
  workloadOf(pod: PodRecord): { kind: string; namespace: string; name: string; uid: string; record?: WorkloadRecord } | undefined {
    const o = pod.owner;
    if (!o) return undefined;
    const ns = pod.metadata.namespace;
    const direct = this.workloadsByUid.get(o.uid) ?? this.workloads.get(objectKey(o.kind, ns, o.name));
    if (direct?.kind === 'ReplicaSet' && direct.owner?.kind === 'Deployment') {
      const dep = this.workloadsByUid.get(direct.owner.uid) ?? this.workloads.get(objectKey('Deployment', ns, direct.owner.name));
      if (dep) return { kind: 'Deployment', namespace: ns, name: dep.metadata.name, uid: dep.metadata.uid, record: dep };
      return { kind: 'Deployment', namespace: ns, name: direct.owner.name, uid: direct.owner.uid };
    }
    if (direct) return { kind: direct.kind, namespace: ns, name: direct.metadata.name, uid: direct.metadata.uid, record: direct };
    return { kind: o.kind, namespace: ns, name: o.name, uid: o.uid };
  }

  /**
   * Every pod of a workload: pods whose controller is the StatefulSet or ReplicaSet (also when
   * that kind is not watched, e.g. an OpenKruise StatefulSet), or, for a Deployment, the pods of
   * all its ReplicaSets.
   */
  podsOfWorkload(kind: string, namespace: string, name: string): PodRecord[] {
    if (kind !== 'Deployment') return this.podsByOwner.get(objectKey(kind, namespace, name));
    const w = this.workloads.get(objectKey(kind, namespace, name));
    if (!w) return [];
    return this.replicaSetsByOwner
      .get(w.metadata.uid)
      .flatMap((rs) => this.podsByOwner.get(objectKey('ReplicaSet', namespace, rs.metadata.name)));
  }

  // ---- events
  event(namespace: string, name: string): EventRecord | undefined {
    return this.eventsByKey.get(`${namespace}/${name}`);
  }

  /** Recent events about one object, newest first. */
  eventsFor(kind: string, namespace: string, name: string): EventRecord[] {
    return this.eventsByObject.get(objectKey(kind, namespace, name)) ?? [];
  }

  private applyNode(verb: string, n: NodeRecord): NodeRecord | undefined {
    this.nodeGen++;
    const old = this.nodesByName.get(n.metadata.name);
    if (old) for (const a of old.addresses) this.nodesByAddress.delete(a.address, old);
    if (verb === 'delete') {
      this.nodesByName.delete(n.metadata.name);
      return old;
    }
    this.nodesByName.set(n.metadata.name, n);
    for (const a of n.addresses) this.nodesByAddress.add(a.address, n);
    return old;
  }

  private applyPod(verb: string, p: PodRecord): PodRecord | undefined {
    const key = keyOf(p.metadata);
    const old = this.podsByKey.get(key);
    if (old) {
      this.podsByIP.delete(old.podIP, old);
      this.podsByNode.delete(old.nodeName, old);
      if (old.owner) this.podsByOwner.delete(objectKey(old.owner.kind, old.metadata.namespace, old.owner.name), old);
    }
    if (verb === 'delete') {
      this.podsByKey.delete(key);
      if (!p.deletedAt) p.deletedAt = Date.now();
      this.deletedPods.delete(key);
      this.deletedPods.set(key, p);
      if (this.deletedPods.size > 10_000) this.deletedPods.delete(this.deletedPods.keys().next().value as string);
      return old;
    }
    this.podsByKey.set(key, p);
    this.podsByIP.add(p.podIP, p);
    this.podsByNode.add(p.nodeName, p);
    if (p.owner) this.podsByOwner.add(objectKey(p.owner.kind, p.metadata.namespace, p.owner.name), p);
    return old;
  }

  private applyWorkload(verb: string, w: WorkloadRecord): WorkloadRecord | undefined {
    const key = objectKey(w.kind, w.metadata.namespace, w.metadata.name);
    const old = this.workloads.get(key);
    if (old) {
      this.workloadsByUid.delete(old.metadata.uid);
      if (old.owner) this.replicaSetsByOwner.delete(old.owner.uid, old);
    }
    if (verb === 'delete') {
      this.workloads.delete(key);
      return old;
    }
    this.workloads.set(key, w);
    this.workloadsByUid.set(w.metadata.uid, w);
    if (w.kind === 'ReplicaSet' && w.owner) this.replicaSetsByOwner.add(w.owner.uid, w);
    return old;
  }

  private applyEvent(verb: string, e: EventRecord): EventRecord | undefined {
    const key = keyOf(e.metadata);
    const old = this.eventsByKey.get(key);
    const objKey = objectKey(e.involved.kind, e.involved.namespace, e.involved.name);
    let list = this.eventsByObject.get(objKey) ?? [];
    if (old) list = list.filter((x) => x !== old);
    if (verb === 'delete') {
      this.eventsByKey.delete(key);
      if (list.length) this.eventsByObject.set(objKey, list);
      else this.eventsByObject.delete(objKey);
      return old;
    }
    this.eventsByKey.set(key, e);
    list.push(e);
    list.sort((a, b) => b.lastAt - a.lastAt);
    if (list.length > this.eventsPerObject) list.length = this.eventsPerObject;
    this.eventsByObject.set(objKey, list);
    return old;
  }
}
