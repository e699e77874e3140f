/**
 * Turns API objects (plain JSON from a watch, or the client's deserialised models with `Date`
 * fields from a list) into the compact records of `records.ts`. Everything else is dropped:
 * managedFields, last-applied-configuration and other annotations, most of the spec. Values that
 * repeat across many objects (namespaces, node names, phases, reasons) are interned.
 */
import { cpuMillis, quantityValue } from './quantity.ts';
import type {
  ContainerRecord,
  ContainerTermination,
  EventRecord,
  NodeRecord,
  NodeResources,
  OwnerRef,
  PodRecord,
  RecordMeta,
  WorkloadKind,
  WorkloadRecord,
} from './records.ts';

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (v !== null && typeof v === 'object' ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Epoch ms from an RFC 3339 string or a Date (0 when absent). */
export function timeOf(v: unknown): number {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 0 : v.getTime();
  if (typeof v === 'string' && v) {
    const t = Date.parse(v);
    return Number.isNaN(t) ? 0 : t;
  }
  return 0;
}

const pool = new Map<string, string>();
/** Returns one shared copy of a repeated string (bounded pool). */
export function intern(s: string): string {
  if (s === '') return '';
  const hit = pool.get(s);
  if (hit !== undefined) return hit;
  if (pool.size > 100_000) pool.clear();
  pool.set(s, s);
  return s;
}

const OWN_PREFIX = 'firstmate.io/';

function ownAnnotations(meta: Obj): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const [k, v] of Object.entries(o(meta.annotations))) {
    if (k.startsWith(OWN_PREFIX) && typeof v === 'string') (out ??= {})[k] = v.slice(0, 200);
  }
  return out;
}

function metaOf(raw: Obj): RecordMeta {
  const m = o(raw.metadata);
  return {
    name: str(m.name),
    namespace: intern(str(m.namespace)),
    uid: str(m.uid),
    resourceVersion: str(m.resourceVersion),
    createdAt: timeOf(m.creationTimestamp),
  };
}

function controllerOf(raw: Obj): OwnerRef | undefined {
  for (const r of arr(o(raw.metadata).ownerReferences)) {
    const ref = o(r);
    if (ref.controller === true) return { kind: intern(str(ref.kind)), name: intern(str(ref.name)), uid: str(ref.uid) };
  }
  return undefined;
}

function resources(v: unknown): NodeResources {
  const r = o(v);
  return {
    cpuMillis: cpuMillis(r.cpu as string),
    memoryBytes: quantityValue(r.memory as string),
    pods: quantityValue(r.pods as string),
    ephemeralBytes: quantityValue(r['ephemeral-storage'] as string),
  };
}

export function compactNode(raw: unknown): NodeRecord {
  const n = o(raw);
  const spec = o(n.spec);
  const status = o(n.status);
  const info = o(status.nodeInfo);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(o(o(n.metadata).labels))) labels[intern(k)] = intern(str(v));
  const annotations = ownAnnotations(o(n.metadata));
  return {
    ...(annotations ? { annotations } : {}),
    metadata: metaOf(n),
    kind: 'Node',
    labels,
    addresses: arr(status.addresses).map((a) => ({ type: intern(str(o(a).type)), address: str(o(a).address) })),
    capacity: resources(status.capacity),
    allocatable: resources(status.allocatable),
    conditions: arr(status.conditions).map((c) => {
      const x = o(c);
      return {
        type: intern(str(x.type)),
        status: intern(str(x.status)),
        reason: intern(str(x.reason)),
        message: str(x.message).slice(0, 300),
        lastTransition: timeOf(x.lastTransitionTime),
      };
    }),
    taints: arr(spec.taints).map((t) => ({ key: intern(str(o(t).key)), value: intern(str(o(t).value)), effect: intern(str(o(t).effect)) })),
    unschedulable: spec.unschedulable === true,
    kubeletVersion: intern(str(info.kubeletVersion)),
    runtimeVersion: intern(str(info.containerRuntimeVersion)),
    kernelVersion: intern(str(info.kernelVersion)),
    osImage: intern(str(info.osImage)),
  };
}

function termination(v: unknown): ContainerTermination | undefined {
  const t = o(v);
  if (!v || typeof v !== 'object') return undefined;
  return {
    reason: intern(str(t.reason)),
    exitCode: num(t.exitCode),
    startedAt: timeOf(t.startedAt),
    finishedAt: timeOf(t.finishedAt),
  };
}

/** When deletion was requested: `deletionTimestamp` is that moment plus the grace period. */
function deletionRequestedAt(m: Obj): number {
  const t = timeOf(m.deletionTimestamp);
  return t ? t - num(m.deletionGracePeriodSeconds) * 1000 : 0;
}

export function compactPod(raw: unknown): PodRecord {
  const p = o(raw);
  const m = o(p.metadata);
  const spec = o(p.spec);
  const status = o(p.status);
  const statuses = new Map<string, Obj>();
  for (const cs of arr(status.containerStatuses)) statuses.set(str(o(cs).name), o(cs));
  let cpu = 0;
  let mem = 0;
  const containers: ContainerRecord[] = arr(spec.containers).map((c) => {
    const spec1 = o(c);
    const res = o(spec1.resources);
    const requests = o(res.requests);
    const limits = o(res.limits);
    const name = intern(str(spec1.name));
    const st = statuses.get(name) ?? {};
    const state = o(st.state);
    const kind = state.running ? 'running' : state.waiting ? 'waiting' : state.terminated ? 'terminated' : 'unknown';
    const rec: ContainerRecord = {
      name,
      cpuRequestMillis: cpuMillis(requests.cpu as string),
      memoryRequestBytes: quantityValue(requests.memory as string),
      memoryLimitBytes: quantityValue(limits.memory as string),
      restartCount: num(st.restartCount),
      ready: st.ready === true,
      state: kind,
      stateReason: intern(str(o(state.waiting).reason || o(state.terminated).reason)),
    };
    const term = state.terminated ? termination(state.terminated) : undefined;
    if (term) rec.terminated = term;
    const last = o(st.lastState).terminated ? termination(o(st.lastState).terminated) : undefined;
    if (last) rec.lastTerminated = last;
    cpu += rec.cpuRequestMillis;
    mem += rec.memoryRequestBytes;
    return rec;
  });
  for (const c of arr(spec.initContainers)) {
    const requests = o(o(o(c).resources).requests);
    cpu = Math.max(cpu, cpuMillis(requests.cpu as string));
    mem = Math.max(mem, quantityValue(requests.memory as string));
  }
  let ready = false;
  let readyAt = 0;
  let unreadyAt = 0;
  let disruption = '';
  let disruptionAt = 0;
  for (const c of arr(status.conditions)) {
    const x = o(c);
    if (x.type === 'Ready' && x.status === 'True') {
      ready = true;
      readyAt = timeOf(x.lastTransitionTime);
    } else if (x.type === 'Ready') {
      unreadyAt = timeOf(x.lastTransitionTime);
    } else if (x.type === 'DisruptionTarget' && x.status === 'True') {
      disruption = intern(str(x.reason));
      disruptionAt = timeOf(x.lastTransitionTime);
    }
  }
  const rec: PodRecord = {
    metadata: metaOf(p),
    kind: 'Pod',
    deletedAt: deletionRequestedAt(m),
    nodeName: intern(str(spec.nodeName)),
    podIP: str(status.podIP),
    hostIP: intern(str(status.hostIP)),
    hostNetwork: spec.hostNetwork === true,
    phase: intern(str(status.phase)),
    reason: intern(str(status.reason)),
    message: str(status.message).slice(0, 300),
    ready,
    readyAt,
    unreadyAt,
    disruption,
    disruptionAt,
    cpuRequestMillis: cpu,
    memoryRequestBytes: mem,
    containers,
  };
  const owner = controllerOf(p);
  if (owner) rec.owner = owner;
  const ann = ownAnnotations(m);
  if (ann) rec.annotations = ann;
  return rec;
}

export function compactEvent(raw: unknown): EventRecord {
  const e = o(raw);
  const inv = o(e.involvedObject);
  const src = o(e.source);
  const series = o(e.series);
  const first = timeOf(e.firstTimestamp) || timeOf(e.eventTime);
  const last = timeOf(series.lastObservedTime) || timeOf(e.lastTimestamp) || timeOf(e.eventTime) || first;
  return {
    metadata: metaOf(e),
    kind: 'Event',
    // Node events sometimes name namespace "default" for the node; nodes are cluster-scoped.
    involved: {
      kind: intern(str(inv.kind)),
      namespace: inv.kind === 'Node' ? '' : intern(str(inv.namespace)),
      name: str(inv.name),
      uid: str(inv.uid),
    },
    reason: intern(str(e.reason)),
    message: str(e.message).slice(0, 500),
    type: intern(str(e.type)),
    count: num(e.count) || num(series.count) || 1,
    firstAt: first,
    lastAt: last,
    source: intern(str(src.component) || str(e.reportingComponent)),
    host: intern(str(src.host) || str(e.reportingInstance)),
  };
}

export function compactWorkload(kind: WorkloadKind, raw: unknown, group?: string): WorkloadRecord {
  const w = o(raw);
  const spec = o(w.spec);
  const status = o(w.status);
  const rec: WorkloadRecord = {
    metadata: metaOf(w),
    kind,
    replicas: kind === 'Job' ? num(spec.completions) || 1 : num(spec.replicas),
    readyReplicas: kind === 'Job' ? num(status.succeeded) : num(status.readyReplicas),
  };
  const conditions = arr(status.conditions)
    .map((c) => o(c))
    .filter((c) => c.status !== 'True' || c.type === 'Failed' || c.type === 'Complete')
    .map((c) => ({
      type: intern(str(c.type)),
      status: intern(str(c.status)),
      reason: intern(str(c.reason)),
      message: str(c.message).slice(0, 300),
      lastTransition: timeOf(c.lastTransitionTime),
    }));
  if (conditions.length) rec.conditions = conditions;
  if (kind === 'Job' && num(status.failed)) rec.failed = num(status.failed);
  if (group) rec.group = group;
  const owner = controllerOf(w);
  if (owner) rec.owner = owner;
  const ann = ownAnnotations(o(w.metadata));
  if (ann) rec.annotations = ann;
  return rec;
}
