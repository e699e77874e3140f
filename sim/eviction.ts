/**
 * The Eviction API (`POST pods/{name}/eviction`) as the real server answers it: a pod covered by
 * a PodDisruptionBudget that allows no more disruptions is refused with 429 TooManyRequests;
 * otherwise the pod gets the `DisruptionTarget` condition (reason `EvictionByEvictionAPI`) and is
 * deleted.
 */
import { quantityExact } from '../kube/quantity.ts';
import { matchSelector } from './selectors.ts';
import { StatusError } from './status.ts';
import type { Store } from './store.ts';
import type { KubeObject, Pod } from './types.ts';

interface Budget extends KubeObject {
  spec?: { minAvailable?: number | string; maxUnavailable?: number | string; selector?: Parameters<typeof matchSelector>[0] };
}

function resolve(value: number | string, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  if (value.endsWith('%')) {
    const n = (quantityExact(value.slice(0, -1)) * total) / 100;
    return roundUp ? Math.ceil(n) : Math.floor(n);
  }
  return Number(value);
}

const healthy = (p: Pod): boolean =>
  p.status?.phase === 'Running' && (p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);

/** Evicts a pod through the Eviction API rules; throws a `StatusError` (404, 429) when refused. `dryRun` only checks. */
export function evictPod(store: Store, namespace: string, name: string, dryRun = false): void {
  const pod = store.read('pods', namespace, name) as Pod;
  const pods = store.list('pods', { namespace }).items as Pod[];
  for (const pdb of store.list('poddisruptionbudgets', { namespace }).items as Budget[]) {
    const matches = matchSelector(pdb.spec?.selector);
    if (!pdb.spec?.selector || !matches(pod)) continue;
    const covered = pods.filter((p) => matches(p) && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded');
    const expected = covered.length;
    const current = covered.filter(healthy).length;
    let desired: number;
    if (pdb.spec.minAvailable !== undefined) desired = resolve(pdb.spec.minAvailable, expected, true);
    else if (pdb.spec.maxUnavailable !== undefined) desired = expected - resolve(pdb.spec.maxUnavailable, expected, true);
    else continue;
    const allowed = healthy(pod) ? current - desired : Infinity;
    if (allowed < 1) {
      throw new StatusError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
        causes: [
          {
            reason: 'DisruptionBudget',
            message: `The disruption budget ${pdb.metadata.name} needs ${desired} healthy pods and has ${current} currently`,
          },
        ],
      });
    }
  }
  if (dryRun) return;
  store.mutate(
    'pods',
    namespace,
    name,
    (o) => {
      const p = o as Pod;
      const status = p.status ?? {};
      const conditions = (status.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
      conditions.push({
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'EvictionByEvictionAPI',
        message: 'Eviction API: evicting',
        lastProbeTime: null,
        lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      });
      p.status = { ...status, conditions };
    },
    'status',
  );
  store.delete('pods', namespace, name);
}
