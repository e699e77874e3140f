/**
 * Node health (`KubeNodeNotReady`, `KubeNodePressure`) and the NotReady storm guard
 * (`KubeNodeNotReadyStorm`).
 *
 * Inputs: `Node/<name>` keys on node changes and the `Cluster/storm` key on any node change;
 * node conditions from the cache; the open-incident markers in Redis.
 * Outputs: a firing alert when a node's Ready condition leaves `True` or a pressure condition
 * turns `True`, and the resolved alert when it is healthy again (or gone). When enough nodes go
 * NotReady together (see `storm.ts`), one critical storm alert says evictions are imminent.
 * Suppression during a storm: per-node NotReady alerts for the storm's nodes are not emitted
 * (not deferred with a label); when the storm ends, nodes still NotReady are re-checked and
 * fire then. Per-pod taint-manager evictions and node-failure migrations from storm nodes are
 * not emitted at all (see those reconcilers).
 * Idempotency: an open incident is a Redis marker `node:<name>:<condition>` (value: start time)
 * set after the firing alert was handed to the sink and removed after the resolved one was, so
 * relists and restarts do not report a transition again and a crash in between reports it again
 * (at-least-once) rather than never; the pipeline deduplicates the repeat by fingerprint.
 */
import { formatDuration, kubeAlert } from '../alerts.ts';
import type { CacheChange } from '../cache.ts';
import type { ControllerHandle, Reconciler } from '../controller.ts';
import type { NodeRecord } from '../records.ts';
import { readyStatus } from '../storm.ts';
import type { ReconcilerDeps } from './deps.ts';

const STORM_KEY = 'Cluster/storm';
const PRESSURES = ['MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;
const OPEN_TTL = 30 * 86400;

type Check = 'NotReady' | (typeof PRESSURES)[number];

function bad(node: NodeRecord | undefined, check: Check): { bad: boolean; since: number; message: string } {
  if (!node) return { bad: false, since: 0, message: '' };
  const type = check === 'NotReady' ? 'Ready' : check;
  const c = node.conditions.find((x) => x.type === type);
  if (!c) return { bad: false, since: 0, message: '' };
  const isBad = check === 'NotReady' ? c.status !== 'True' : c.status === 'True';
  return { bad: isBad, since: c.lastTransition, message: [c.reason, c.message].filter(Boolean).join(': ') };
}

export function createNodeHealthReconciler(deps: ReconcilerDeps): Reconciler {
  const { cache, reports } = deps;

  const alertFor = (name: string, check: Check, status: 'firing' | 'resolved', startsAt: number, message: string) => {
    const notReady = check === 'NotReady';
    return kubeAlert({
      alertname: notReady ? 'KubeNodeNotReady' : 'KubeNodePressure',
      cluster: deps.cluster,
      severity: notReady ? 'critical' : 'warning',
      status,
      node: name,
      ...(notReady ? {} : { reason: check }),
      summary:
        status === 'resolved'
          ? `node ${name} ${notReady ? 'is Ready again' : `no longer has ${check}`}`
          : `node ${name} ${notReady ? `is NotReady (${readyStatus(cache.node(name) as NodeRecord) || 'gone'})` : `has ${check}`}`,
      description:
        status === 'resolved'
          ? `${notReady ? 'NotReady' : check} lasted ${formatDuration(Date.now() - startsAt)}.`
          : `${message || check}. ${cache.podsOnNodeCount(name)} pod(s) run there.`,
      startsAt,
      ...(status === 'resolved' ? { endsAt: Date.now() } : {}),
    });
  };

  const reconcileNode = async (name: string) => {
    const node = cache.node(name);
    const storm = deps.storm();
    for (const check of ['NotReady', ...PRESSURES] as Check[]) {
      const id = `node:${name}:${check}`;
      const state = bad(node, check);
      if (state.bad) {
        if (check === 'NotReady' && storm.active && storm.notReady.has(name)) continue;
        const since = state.since || Date.now();
        if (await reports.has(id)) continue;
        try {
          await deps.sink.emit([alertFor(name, check, 'firing', since, state.message)]);
        } catch (err) {
          throw new Error(`cannot report ${check} of node ${name}`, { cause: err });
        }
        await reports.mark(id, OPEN_TTL, String(since));
      } else {
        const open = await reports.get(id);
        if (open === undefined) continue;
        try {
          await deps.sink.emit([alertFor(name, check, 'resolved', Number(open) || Date.now(), '')]);
        } catch (err) {
          throw new Error(`cannot resolve ${check} of node ${name}`, { cause: err });
        }
        await reports.release(id);
      }
    }
  };

  const stormAlert = (id: string, status: 'firing' | 'resolved', since: number) => {
    const s = deps.storm();
    const pods = [...s.notReady].reduce((n, node) => n + cache.podsOnNodeCount(node), 0);
    return kubeAlert({
      alertname: 'KubeNodeNotReadyStorm',
      cluster: deps.cluster,
      severity: 'critical',
      status,
      labels: { storm: id },
      summary:
        status === 'firing'
          ? `${s.notReady.size} of ${s.total} nodes went NotReady together: pod evictions are imminent`
          : `NotReady storm over: ${s.notReady.size} of ${s.total} nodes still NotReady`,
      description:
        status === 'firing'
          ? `${s.notReady.size} of ${s.total} nodes (${pods} pods) stopped reporting Ready at about the same time, which usually means the control plane lost the network to them rather than that they all failed. The node controller taints them and the taint manager evicts their pods once the tolerations run out (300 s by default). Check the network between the control plane and the nodes before anything else. Per-node NotReady alerts and per-pod evictions/migrations from these nodes are held back while the storm lasts.`
          : `The storm lasted ${formatDuration(Date.now() - since)}. Nodes still NotReady are reported one by one now.`,
      annotations: { nodes_not_ready: String(s.notReady.size), nodes_total: String(s.total), pods_on_nodes: String(pods) },
      startsAt: since,
      ...(status === 'resolved' ? { endsAt: Date.now() } : {}),
    });
  };

  const reconcileStorm = async (ctl: ControllerHandle) => {
    const storm = deps.storm();
    const current = await reports.get('storm:current');
    const [openId, openSince] = current ? current.split('|') : [];
    if (openId && (!storm.active || storm.id !== openId)) {
      await deps.sink.emit([stormAlert(openId, 'resolved', Number(openSince) || Date.now())]);
      await reports.release('storm:current');
      for (const n of storm.notReady) ctl.enqueue(`Node/${n}`);
    }
    if (storm.active && storm.id !== openId) {
      try {
        await deps.sink.emit([stormAlert(storm.id, 'firing', storm.since)]);
      } catch (err) {
        throw new Error('cannot report the NotReady storm', { cause: err });
      }
      await reports.mark('storm:current', OPEN_TTL, `${storm.id}|${storm.since}`);
    }
  };

  return {
    name: 'node-health',
    keysFor(change: CacheChange) {
      return change.kind === 'Node' ? [`Node/${change.obj.metadata.name}`, STORM_KEY] : [];
    },
    *allKeys() {
      yield STORM_KEY;
      for (const n of cache.nodes()) yield `Node/${n.metadata.name}`;
    },
    async reconcile(key, ctl) {
      if (key === STORM_KEY) return reconcileStorm(ctl);
      if (key.startsWith('Node/')) return reconcileNode(key.slice(5));
    },
  };
}
