/**
 * Runs one step of an operation. Every step first reads the objects it touches: when its
 * effect is already there (a crash or failover after the write) it is done without acting;
 * when its guard holds it writes with the read's resourceVersion (or the pod's uid) as
 * precondition, so a concurrent change makes the write fail (409) instead of acting on a
 * changed object; otherwise it fails without writing. Waiting steps (drain, verification)
 * answer `wait` and are asked again on the next tick.
 */
import { ApiError, nodePath } from './api.ts';
import type { KObject, OpsApi } from './api.ts';
import type { OpsSettings } from './config-schema.ts';
import { pathOf } from './resolve.ts';
import { OPERATION_ANNOTATION, PINGCAP_DELETE_SLOTS, ownedPods } from './strategies.ts';
import type { Operation, Step, StepSpec } from './types.ts';

export type StepOutcome = { outcome: 'done' | 'wait' | 'fail'; note: string };

export interface StepContext {
  api: OpsApi;
  settings: OpsSettings;
  op: Operation;
  step: Step;
  now: number;
  /** The value of the operation annotation (`<id> by <user>`). */
  annotation: string;
}

const done = (note: string): StepOutcome => ({ outcome: 'done', note });
const wait = (note: string): StepOutcome => ({ outcome: 'wait', note });
const fail = (note: string): StepOutcome => ({ outcome: 'fail', note });
const conflict = (err: unknown) => err instanceof ApiError && err.code === 409;

const replicasOf = (o: KObject) => Number((o.spec as { replicas?: number } | undefined)?.replicas ?? 1);
const isReady = (p: KObject) =>
  !p.metadata.deletionTimestamp &&
  ((p.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []).some(
    (c) => c.type === 'Ready' && c.status === 'True',
  );
const slotsOf = (o: KObject): number[] => {
  try {
    const v = JSON.parse(o.metadata.annotations?.[PINGCAP_DELETE_SLOTS] ?? '[]') as unknown;
    return Array.isArray(v) ? v.map(Number) : [];
  } catch {
    return [];
  }
};
const reservedOf = (o: KObject): number[] => ((o.spec as { reserveOrdinals?: unknown[] } | undefined)?.reserveOrdinals ?? []).map(Number);

/** Writes `patch` with the read's resourceVersion; a conflict means "read again next tick". */
async function guardedPatch(
  ctx: StepContext,
  path: string,
  obj: KObject,
  patch: Record<string, unknown>,
  what: string,
): Promise<StepOutcome> {
  const meta = { ...((patch.metadata as Record<string, unknown> | undefined) ?? {}), resourceVersion: obj.metadata.resourceVersion };
  try {
    await ctx.api.mergePatch(path, { ...patch, metadata: meta });
    return done(what);
  } catch (err) {
    if (conflict(err)) return wait(`${what}: changed concurrently, reading again`);
    throw err;
  }
}

/** A server-side dry run of the step's write against the current objects (`dryRun=All`). */
export async function dryRunStep(api: OpsApi, spec: StepSpec): Promise<string | undefined> {
  try {
    switch (spec.type) {
      case 'patch-pod':
        await api.mergePatch(pathOf(spec.pod), { metadata: { labels: spec.labels, annotations: spec.annotations } }, { dryRun: true });
        return `dry run accepted: patch pod ${spec.pod.namespace}/${spec.pod.name}`;
      case 'scale':
        await api.mergePatch(pathOf(spec.workload), { spec: { replicas: spec.to } }, { dryRun: true });
        return `dry run accepted: ${spec.workload.kind} ${spec.workload.name} replicas ${spec.from} → ${spec.to}`;
      case 'delete-pod':
        await api.delete(pathOf(spec.pod), { uid: spec.pod.uid }, { dryRun: true });
        return `dry run accepted: delete pod ${spec.pod.namespace}/${spec.pod.name}`;
      case 'cordon':
        await api.mergePatch(nodePath(spec.node), { spec: { unschedulable: spec.unschedulable } }, { dryRun: true });
        return `dry run accepted: node ${spec.node} unschedulable=${spec.unschedulable}`;
      default:
        return undefined;
    }
  } catch (err) {
    return `dry run refused: ${(err as Error).message}`;
  }
}

export async function runStep(ctx: StepContext): Promise<StepOutcome> {
  const { api, step, op } = ctx;
  const spec = step.spec;
  switch (spec.type) {
    case 'patch-pod': {
      const pod = await api.get(pathOf(spec.pod));
      if (!pod || pod.metadata.uid !== spec.pod.uid)
        return fail(`pod ${spec.pod.name} is gone or was replaced since the plan; nothing done`);
      const want = (have: Record<string, string> | undefined, w: Record<string, string | null> | undefined) =>
        Object.entries(w ?? {}).every(([k, v]) => (v === null ? !have?.[k] : have?.[k] === v));
      if (want(pod.metadata.labels, spec.labels) && want(pod.metadata.annotations, spec.annotations)) return done('already in place');
      return guardedPatch(ctx, pathOf(spec.pod), pod, { metadata: { labels: spec.labels, annotations: spec.annotations } }, 'pod patched');
    }
    case 'scale': {
      const w = await api.get(pathOf(spec.workload));
      if (!w || w.metadata.uid !== spec.workload.uid) return fail(`${spec.workload.kind} ${spec.workload.name} is gone or was replaced`);
      const replicas = replicasOf(w);
      const reserved = reservedOf(w);
      const slots = slotsOf(w);
      const extras =
        (spec.reserveOrdinal === undefined || reserved.includes(spec.reserveOrdinal)) &&
        (spec.deleteSlot === undefined || slots.includes(spec.deleteSlot)) &&
        (spec.label === undefined || w.metadata.labels?.[spec.label.key] === spec.label.value);
      if (replicas === spec.to && extras) return done('already scaled');
      if (replicas !== spec.from)
        return fail(
          `${spec.workload.kind} ${spec.workload.name} has ${replicas} replicas, not the planned ${spec.from}: changed by someone else; nothing done`,
        );
      const patch: Record<string, unknown> = { spec: { replicas: spec.to } };
      const metadata: Record<string, unknown> = {};
      if (spec.reserveOrdinal !== undefined)
        (patch.spec as Record<string, unknown>).reserveOrdinals = [...new Set([...reserved, spec.reserveOrdinal])].sort((a, b) => a - b);
      if (spec.deleteSlot !== undefined)
        metadata.annotations = { [PINGCAP_DELETE_SLOTS]: JSON.stringify([...new Set([...slots, spec.deleteSlot])].sort((a, b) => a - b)) };
      if (spec.label) metadata.labels = { [spec.label.key]: spec.label.value };
      patch.metadata = metadata;
      return guardedPatch(ctx, pathOf(spec.workload), w, patch, `replicas ${spec.from} → ${spec.to}`);
    }
    case 'unlabel-workload': {
      const w = await api.get(pathOf(spec.workload));
      if (!w || w.metadata.uid !== spec.workload.uid) return fail(`${spec.workload.kind} ${spec.workload.name} is gone or was replaced`);
      if (w.metadata.labels?.[spec.key] === undefined) return done('label already cleared');
      return guardedPatch(ctx, pathOf(spec.workload), w, { metadata: { labels: { [spec.key]: null } } }, 'label cleared');
    }
    case 'delete-pod': {
      const pod = await api.get(pathOf(spec.pod));
      if (!pod || pod.metadata.uid !== spec.pod.uid) return done('already gone');
      if (pod.metadata.deletionTimestamp) return done('already terminating');
      try {
        await api.delete(pathOf(spec.pod), { uid: spec.pod.uid });
        return done('deleted');
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) return done('already gone');
        if (conflict(err)) return wait('the pod changed; reading again');
        throw err;
      }
    }
    case 'cordon': {
      const node = await api.get(nodePath(spec.node));
      if (!node || node.metadata.uid !== op.target.uid) return fail(`node ${spec.node} is gone or was replaced`);
      const current = (node.spec as { unschedulable?: boolean } | undefined)?.unschedulable === true;
      const mark = spec.unschedulable ? ctx.annotation : null;
      const marked = spec.unschedulable ? node.metadata.annotations?.[OPERATION_ANNOTATION] === ctx.annotation : true;
      if (current === spec.unschedulable && marked) return done(spec.unschedulable ? 'already cordoned' : 'already schedulable');
      return guardedPatch(
        ctx,
        nodePath(spec.node),
        node,
        { spec: { unschedulable: spec.unschedulable }, metadata: { annotations: { [OPERATION_ANNOTATION]: mark } } },
        spec.unschedulable ? 'cordoned' : 'uncordoned',
      );
    }
    case 'evict-node':
      return evictNode(ctx, spec.node);
    case 'verify-recreated':
    case 'verify-removed':
      return verify(ctx, spec);
  }
}

const isDaemon = (p: KObject) => p.metadata.ownerReferences?.some((o) => o.controller && o.kind === 'DaemonSet') ?? false;
const isMirror = (p: KObject) => p.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined;
const finished = (p: KObject) => ['Succeeded', 'Failed'].includes(String((p.status as { phase?: string } | undefined)?.phase));

async function evictNode(ctx: StepContext, node: string): Promise<StepOutcome> {
  const pods = await ctx.api.list('/api/v1/pods', { fieldSelector: `spec.nodeName=${node}` });
  const movable = pods.filter((p) => !isDaemon(p) && !isMirror(p) && !finished(p));
  const leaving = movable.filter((p) => p.metadata.deletionTimestamp);
  const blocked: string[] = [];
  for (const p of movable.filter((x) => !x.metadata.deletionTimestamp)) {
    try {
      await ctx.api.evict(p.metadata.namespace ?? '', p.metadata.name, p.metadata.uid);
    } catch (err) {
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) continue;
      if (err instanceof ApiError && err.code === 429) {
        blocked.push(`${p.metadata.namespace}/${p.metadata.name}`);
        continue;
      }
      throw err;
    }
  }
  const left = await ctx.api.list('/api/v1/pods', { fieldSelector: `spec.nodeName=${node}` });
  const remaining = left.filter((p) => !isDaemon(p) && !isMirror(p) && !finished(p));
  if (remaining.length === 0) return done(`node ${node} drained`);
  const deadline = (ctx.step.startedAt ?? ctx.now) + ctx.settings.drainDeadlineSeconds * 1000;
  const names = remaining.map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
  if (ctx.now >= deadline)
    return fail(
      `drain deadline passed; still on ${node}: ${names.join(', ')}${blocked.length ? ` (blocked by a PodDisruptionBudget: ${blocked.join(', ')})` : ''}`,
    );
  return wait(
    blocked.length
      ? `waiting on PodDisruptionBudgets for ${blocked.join(', ')}; ${leaving.length} terminating`
      : `${remaining.length} pod(s) still leaving ${node}`,
  );
}

async function verify(ctx: StepContext, spec: Extract<StepSpec, { type: 'verify-recreated' | 'verify-removed' }>): Promise<StepOutcome> {
  const { api } = ctx;
  const deadline = (ctx.step.startedAt ?? ctx.now) + ctx.settings.verifyTimeoutSeconds * 1000;
  const late = ctx.now >= deadline;
  const until = (note: string) => (late ? fail(`verification timed out: ${note}`) : wait(note));
  const w = await api.get(pathOf(spec.workload));
  if (!w) return fail(`${spec.workload.kind} ${spec.workload.name} is gone`);
  const current = await api.get(pathOf(spec.pod));
  const probe = current ?? { metadata: { name: spec.pod.name, namespace: spec.pod.namespace ?? '', uid: '', resourceVersion: '' } };
  const pods = await ownedPods(api, spec.workload, probe);
  const ready = pods.filter(isReady);
  if (spec.type === 'verify-removed') {
    const lost = spec.keep.filter((uid) => !pods.some((p) => p.metadata.uid === uid && !p.metadata.deletionTimestamp));
    if (lost.length)
      return fail(`another pod of ${spec.workload.name} was removed instead of or besides ${spec.pod.name} (uid ${lost.join(', ')})`);
  }
  if (current?.metadata.uid === spec.pod.uid)
    return until(`${spec.pod.name} is still there${current.metadata.deletionTimestamp ? ' (terminating)' : ''}`);
  if (spec.type === 'verify-removed') {
    if (current && spec.workload.kind === 'StatefulSet')
      return until(`the controller recreated ${spec.pod.name}; the ordinal was not released`);
    if (replicasOf(w) !== spec.replicas) return fail(`${spec.workload.name} has ${replicasOf(w)} replicas, expected ${spec.replicas}`);
    if (ready.length < spec.replicas) return until(`${ready.length}/${spec.replicas} pods Ready`);
    return done(`${spec.pod.name} removed; ${spec.workload.name} has ${spec.replicas} replicas, all Ready; the other pods untouched`);
  }
  if (spec.sameName) {
    if (!current) return until(`${spec.pod.name} not recreated yet`);
    if (!isReady(current)) return until(`${spec.pod.name} recreated, not Ready yet`);
  }
  if (ready.length < spec.replicas) return until(`${ready.length}/${spec.replicas} pods Ready`);
  const ip = (current?.status as { podIP?: string } | undefined)?.podIP;
  const ipNote = spec.fixedIp
    ? ip === spec.fixedIp
      ? `, IP kept ${ip}`
      : `, IP changed ${spec.fixedIp} → ${ip ?? '-'}`
    : ip
      ? `, IP ${ip}`
      : '';
  const node = (current?.spec as { nodeName?: string } | undefined)?.nodeName;
  return done(
    `${spec.sameName ? `${spec.pod.name} recreated` : 'replacement created'}${node ? ` on ${node}` : ''}${ipNote}; ${ready.length}/${spec.replicas} Ready`,
  );
}
