/**
 * The red lines: checked when a plan is made and again right before each step that still has
 * to act. Each names itself, says why it refuses and how to proceed; an admin may override a
 * named one (`--override <name>`), which the operation records and the audit log shows.
 */
import { CronExpressionParser } from 'cron-parser';
import type { KubeCache } from '../kube/cache.ts';
import type { KObject, OpsApi } from './api.ts';
import { podPath } from './api.ts';
import type { OpsSettings } from './config-schema.ts';
import type { OpsStore } from './store.ts';
import { ownedPods } from './strategies.ts';
import type { Operation, Refusal } from './types.ts';

const HOUR = 3_600_000;
const ZONE_LABELS = ['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone'];

export interface RedLineDeps {
  settings: OpsSettings;
  /** Protected namespaces: the configured ones plus firstmate's own. */
  protectedNamespaces: readonly string[];
  api: OpsApi;
  cache: KubeCache;
  store: OpsStore;
  /** Whether a NotReady storm is in progress. */
  storm(): boolean;
  now(): number;
}

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };

/** Label selector semantics of the API (matchLabels and matchExpressions); an empty selector matches nothing for a PDB. */
export function selects(sel: Selector | undefined, labels: Record<string, string>): boolean {
  if (!sel || (!sel.matchLabels && !sel.matchExpressions)) return false;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const v = labels[e.key] ?? '';
    const ok =
      e.operator === 'In'
        ? has && (e.values ?? []).includes(v)
        : e.operator === 'NotIn'
          ? !has || !(e.values ?? []).includes(v)
          : e.operator === 'Exists'
            ? has
            : e.operator === 'DoesNotExist'
              ? !has
              : false;
    if (!ok) return false;
  }
  return true;
}

/** Whether `now` lies in a freeze window; returns its name. */
export function inFreeze(windows: OpsSettings['redLines']['freezeWindows'], now: number): string | undefined {
  for (const w of windows) {
    const expr = CronExpressionParser.parse(w.cron, { currentDate: new Date(now + 1000), tz: w.timezone });
    const last = expr.prev().getTime();
    if (now - last < w.minutes * 60_000) return `${w.name} (${w.cron}, ${w.minutes} min, ${w.timezone})`;
  }
  return undefined;
}

const isReady = (p: KObject) =>
  !p.metadata.deletionTimestamp &&
  ((p.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []).some(
    (c) => c.type === 'Ready' && c.status === 'True',
  );

/** Every red line the operation crosses now, except the overridden ones. */
export async function checkRedLines(deps: RedLineDeps, op: Operation): Promise<Refusal[]> {
  const { settings, api, cache, store } = deps;
  const rl = settings.redLines;
  const out: Refusal[] = [];
  const now = deps.now();
  const t = op.target;
  const podOp = t.kind === 'pod';
  if (podOp && t.namespace && deps.protectedNamespaces.includes(t.namespace)) {
    out.push({
      redLine: 'protected-namespace',
      reason: `namespace ${t.namespace} is protected`,
      howTo: 'operate there with kubectl under your own change process, or have an admin add `--override protected-namespace`',
    });
  }
  const pod = podOp && t.namespace ? await api.get(podPath(t.namespace, t.name.slice(t.namespace.length + 1))) : undefined;
  const samePod = pod && pod.metadata.uid === t.uid ? pod : undefined;
  if (podOp && rl.pdb && samePod && t.namespace) {
    const labels = samePod.metadata.labels ?? {};
    for (const pdb of await api.list(`/apis/policy/v1/namespaces/${encodeURIComponent(t.namespace)}/poddisruptionbudgets`)) {
      const allowed = (pdb.status as { disruptionsAllowed?: number } | undefined)?.disruptionsAllowed;
      if (allowed === 0 && selects((pdb.spec as { selector?: Selector } | undefined)?.selector, labels)) {
        out.push({
          redLine: 'pdb',
          reason: `PodDisruptionBudget ${t.namespace}/${pdb.metadata.name} covers ${t.name} and allows no disruption now`,
          howTo: 'wait until the budget allows a disruption (its other pods Ready), or have an admin add `--override pdb`',
        });
      }
    }
  }
  if (podOp && rl.workloadReady && t.workload && samePod) {
    const others = (await ownedPods(api, t.workload, samePod)).filter((p) => p.metadata.uid !== t.uid);
    const down = others.filter((p) => !isReady(p)).map((p) => p.metadata.name);
    const missing = Math.max(0, t.workload.replicas - 1 - others.length);
    if (down.length > 0 || missing > 0) {
      out.push({
        redLine: 'workload-not-ready',
        reason: `${t.workload.kind} ${t.workload.namespace}/${t.workload.name} is not fully ready: ${[...down, ...(missing ? [`${missing} pod(s) missing`] : [])].join(', ')}`,
        howTo: 'wait until its other instances are Ready, or have an admin add `--override workload-not-ready`',
      });
    }
  }
  const scopes = [t.scope, ...(podOp && t.node ? [`Node/${t.node}`] : [])];
  for (const scope of scopes) {
    const holder = await store.scopeHolder(scope);
    if (holder && holder !== op.id) {
      out.push({
        redLine: 'in-flight',
        reason: `operation ${holder} is in flight on ${scope}`,
        howTo: `wait for it (\`ops show ${holder}\`) or cancel it`,
      });
    }
  }
  const perScope = await store.started(`scope:${t.scope}`, now - HOUR, op.id);
  if (perScope >= rl.maxPerWorkloadPerHour)
    out.push({
      redLine: 'rate',
      reason: `${perScope} operations on ${t.scope} in the last hour (limit ${rl.maxPerWorkloadPerHour})`,
      howTo: 'wait, or have an admin add `--override rate`',
    });
  const perUser = await store.started(`user:${op.requester.id}`, now - HOUR, op.id);
  if (perUser >= rl.maxPerUserPerHour)
    out.push({
      redLine: 'rate',
      reason: `${op.requester.name} started ${perUser} operations in the last hour (limit ${rl.maxPerUserPerHour})`,
      howTo: 'wait, or have an admin add `--override rate`',
    });
  const freeze = inFreeze(rl.freezeWindows, now);
  if (freeze)
    out.push({
      redLine: 'freeze',
      reason: `change freeze ${freeze}`,
      howTo: 'wait for the window to end, or have an admin add `--override freeze`',
    });
  if (rl.notReadyStorm && deps.storm())
    out.push({
      redLine: 'notready-storm',
      reason: 'a NotReady storm is in progress (many nodes lost contact at once)',
      howTo: 'wait until the nodes are back, or have an admin add `--override notready-storm`',
    });
  if (op.kind === 'cordon' || op.kind === 'drain') out.push(...nodeShare(cache, t.name, rl));
  return out.filter((r) => !op.overrides.includes(r.redLine));
}

function nodeShare(cache: KubeCache, name: string, rl: OpsSettings['redLines']): Refusal[] {
  const zoneOf = (labels: Record<string, string>) => ZONE_LABELS.map((l) => labels[l]).find(Boolean) ?? '';
  const self = cache.node(name);
  const zone = self ? zoneOf(self.labels) : '';
  let total = 0;
  let cordoned = 0;
  let zoneTotal = 0;
  let zoneCordoned = 0;
  for (const n of cache.nodes()) {
    const off = n.unschedulable || n.metadata.name === name;
    total++;
    if (off) cordoned++;
    if (zone && zoneOf(n.labels) === zone) {
      zoneTotal++;
      if (off) zoneCordoned++;
    }
  }
  const out: Refusal[] = [];
  const howTo = 'uncordon other nodes first, or have an admin add `--override node-share`';
  if (total > 0 && cordoned / total > rl.maxCordonedShare)
    out.push({
      redLine: 'node-share',
      reason: `${cordoned} of ${total} nodes would be cordoned (limit ${Math.round(rl.maxCordonedShare * 100)} %)`,
      howTo,
    });
  if (zoneTotal > 0 && zoneCordoned / zoneTotal > rl.maxCordonedZoneShare)
    out.push({
      redLine: 'node-share',
      reason: `${zoneCordoned} of ${zoneTotal} nodes of zone ${zone} would be cordoned (limit ${Math.round(rl.maxCordonedZoneShare * 100)} %)`,
      howTo,
    });
  return out;
}
