/**
 * Node conditions beyond Ready and pressure: `KubeNodeNetworkUnavailable` (`NetworkUnavailable`,
 * set by the network plugin or cloud route controller) and `KubeNodeProblem` for every condition
 * node-problem-detector adds (`KernelDeadlock`, `ReadonlyFilesystem`, `FrequentKubeletRestart`,
 * `CorruptDockerOverlay2`, …: any non-standard condition that is `True`).
 *
 * Inputs: `NodeProblem/<name>` keys on node changes; the node's conditions from the cache; the
 * open-notice markers in Redis.
 * Outputs: a firing alert (labels `alertname`, `cluster`, `severity`, `node`, `reason` = the
 * condition type) when such a condition turns `True`, the resolved alert when it is no longer
 * `True` or the node is gone.
 * Idempotency: the Redis mark `node-problem:<node>:<type>` (value: start time) set after the
 * firing alert was handed to the sink and removed after the resolved one was (at-least-once); the
 * node's open types are listed under `node-problems:<node>` so a vanished condition still resolves.
 */
import { kubeAlert } from '../alerts.ts';
import type { CacheChange } from '../cache.ts';
import type { Reconciler } from '../controller.ts';
import type { NodeCondition } from '../records.ts';
import type { ReconcilerDeps } from './deps.ts';

const STANDARD = new Set(['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable']);
const OPEN_TTL = 30 * 86400;

const problemConditions = (conditions: NodeCondition[]) =>
  conditions.filter((c) => c.status === 'True' && (c.type === 'NetworkUnavailable' || !STANDARD.has(c.type)));

export function createNodeProblemsReconciler(deps: ReconcilerDeps): Reconciler {
  const { cache, reports } = deps;
  const alertFor = (node: string, type: string, status: 'firing' | 'resolved', since: number, c?: NodeCondition) =>
    kubeAlert({
      alertname: type === 'NetworkUnavailable' ? 'KubeNodeNetworkUnavailable' : 'KubeNodeProblem',
      cluster: deps.cluster,
      severity: type === 'NetworkUnavailable' || type === 'KernelDeadlock' || type === 'ReadonlyFilesystem' ? 'critical' : 'warning',
      status,
      node,
      reason: type,
      summary: status === 'firing' ? `node ${node} has ${type}${c?.reason ? ` (${c.reason})` : ''}` : `node ${node} no longer has ${type}`,
      description:
        status === 'firing'
          ? `${[c?.reason, c?.message].filter(Boolean).join(': ') || type}. ${cache.podsOnNodeCount(node)} pod(s) run there.`
          : `${type} is gone.`,
      annotations: { condition: type, message: c?.message ?? '' },
      startsAt: since,
      ...(status === 'resolved' ? { endsAt: Date.now() } : {}),
    });

  return {
    name: 'node-problems',
    keysFor(change: CacheChange) {
      return change.kind === 'Node' ? [`NodeProblem/${change.obj.metadata.name}`] : [];
    },
    *allKeys() {
      for (const n of cache.nodes()) yield `NodeProblem/${n.metadata.name}`;
    },
    async reconcile(key) {
      const name = key.slice('NodeProblem/'.length);
      const node = cache.node(name);
      const now = problemConditions(node?.conditions ?? []);
      const listId = `node-problems:${name}`;
      const listed = (await reports.get(listId))?.split(',').filter(Boolean) ?? [];
      const types = new Set([...listed, ...now.map((c) => c.type)]);
      if (!types.size) return;
      for (const type of types) {
        const c = now.find((x) => x.type === type);
        const id = `node-problem:${name}:${type}`;
        if (c) {
          const since = c.lastTransition || Date.now();
          if (await reports.has(id)) continue;
          try {
            await deps.sink.emit([alertFor(name, type, 'firing', since, c)]);
          } catch (err) {
            throw new Error(`cannot report ${type} of node ${name}`, { cause: err });
          }
          await reports.mark(id, OPEN_TTL, String(since));
        } else {
          const open = await reports.get(id);
          if (open === undefined) continue;
          try {
            await deps.sink.emit([alertFor(name, type, 'resolved', Number(open) || Date.now())]);
          } catch (err) {
            throw new Error(`cannot resolve ${type} of node ${name}`, { cause: err });
          }
          await reports.release(id);
        }
      }
      const still = now.map((c) => c.type).join(',');
      if (still) await reports.mark(listId, OPEN_TTL, still);
      else await reports.release(listId);
    },
  };
}
