/**
 * Node health (`KubeNodeNotReady`, `KubeNodePressure`) and the NotReady storm guard
 * (`KubeNodeNotReadyStorm`, then `KubeNodeNotReadyStormSummary`).
 *
 * Inputs: `Node/<name>` keys on node changes and the `Cluster/storm` key on any node change;
 * node conditions from the cache; the open-incident markers and the storm ledger in Redis.
 * Outputs: a firing alert when a node's Ready condition leaves `True` or a pressure condition
 * turns `True`, and the resolved alert when it is healthy again (or gone). A NotReady is held
 * for `storm.settleMs` after the transition and decided with the NotReady count at the end of
 * that window: when the node is then part of a storm (see `storm.ts`), its alert is withdrawn,
 * never sent, so no per-node alert of a storm leaks out. The storm alert fires as soon as enough
 * nodes are down, names the nodes and zones, is updated as nodes join or recover and when the
 * eviction grace runs out, and resolves with one summary of what moved (`storm-ledger.ts`).
 * Nodes still NotReady when a storm ends are reported one by one then.
 * Idempotency: an open incident is a Redis marker `node:<name>:<condition>` (value: start time)
 * set after the firing alert was handed to the sink and removed after the resolved one was; the
 * open storm is `storm:current` (`id|since|signature`), written after each storm alert was handed
 * over. Relists and restarts do not report a transition again, and a crash in between reports it
 * again (at-least-once) rather than never; the pipeline deduplicates the repeat by fingerprint.
 */
import { formatDuration, kubeAlert } from '../alerts.ts';
import type { CacheChange } from '../cache.ts';
import type { ControllerHandle, Reconciler, ReconcileResult } from '../controller.ts';
import type { NodeRecord } from '../records.ts';
import { readyStatus } from '../storm.ts';
import { stormAlert, stormSummaryAlert } from '../storm-alert.ts';
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
  const opts = deps.stormOptions;

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

  /** When the NotReady of a node was first seen here (kept in Redis across restarts and replicas). */
  const firstSeen = async (name: string, now: number): Promise<number> => {
    const id = `held:${name}`;
    if (await reports.claim(id, OPEN_TTL, String(now))) return now;
    return Number(await reports.get(id)) || now;
  };

  const reconcileNode = async (name: string): Promise<ReconcileResult | void> => {
    const node = cache.node(name);
    let requeue = Infinity;
    for (const check of ['NotReady', ...PRESSURES] as Check[]) {
      const id = `node:${name}:${check}`;
      const state = bad(node, check);
      if (state.bad) {
        const now = Date.now();
        const since = state.since || (await firstSeen(name, now));
        if (check === 'NotReady') {
          // Held from when this process saw it too: the transition time is the API server's (second precision, its clock).
          const held = Math.max(since, await firstSeen(name, now));
          const wait = held + opts.settleMs - now;
          if (wait > 0) {
            requeue = Math.min(requeue, wait);
            continue;
          }
          const storm = deps.storm();
          if (storm.active && storm.notReady.has(name)) {
            deps.logger.debug({ node: name, storm: storm.id }, 'NotReady withdrawn: the node is part of a storm');
            continue;
          }
        }
        if (await reports.has(id)) continue;
        try {
          await deps.sink.emit([alertFor(name, check, 'firing', since, state.message)]);
        } catch (err) {
          throw new Error(`cannot report ${check} of node ${name}`, { cause: err });
        }
        await reports.mark(id, OPEN_TTL, String(since));
      } else {
        if (check === 'NotReady') await reports.release(`held:${name}`);
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
    return requeue < Infinity ? { requeueAfterMs: requeue } : undefined;
  };

  const podsOn = (nodes: Iterable<string>) => [...nodes].reduce((n, node) => n + cache.podsOnNodeCount(node), 0);
  const signature = (nodes: Set<string>) => [...nodes].sort().join(',');

  const endStorm = async (ctl: ControllerHandle, openId: string, since: number) => {
    const now = Date.now();
    const state = deps.storm();
    const tally = await deps.ledger.tally(openId);
    let pending = 0;
    for (const w of tally.workloads) {
      const [kind = '', ns = '', ...rest] = w.split('/');
      pending += cache.podsOfWorkload(kind, ns, rest.join('/')).filter((p) => !p.deletedAt && p.phase === 'Pending').length;
    }
    await deps.sink.emit([
      stormAlert({ cluster: deps.cluster, id: openId, since, state, opts, podsOnNodes: podsOn(state.notReady), status: 'resolved', now }),
      stormSummaryAlert({
        cluster: deps.cluster,
        id: openId,
        since,
        now,
        tally,
        pending,
        listNodes: opts.listNodes,
        ttlMs: deps.notices.eventTtlMs,
      }),
    ]);
    await reports.release('storm:current');
    for (const n of state.notReady) ctl.enqueue(`Node/${n}`);
  };

  const reconcileStorm = async (ctl: ControllerHandle): Promise<ReconcileResult | void> => {
    const storm = deps.storm();
    const current = await reports.get('storm:current');
    const [openId = '', openSince = '', openSig = ''] = current ? current.split('|') : [];
    if (openId && !storm.active) return endStorm(ctl, openId, Number(openSince) || Date.now());
    if (!storm.active) return;
    const id = openId || storm.id;
    const since = Number(openSince) || storm.since;
    await deps.ledger.nodes(id, storm.notReady);
    const sig = signature(storm.notReady);
    const now = Date.now();
    const outlookChangesAt = since + opts.evictionGraceMs;
    const stage = now >= outlookChangesAt ? 'grace-over' : 'grace';
    const value = `${id}|${since}|${sig};${stage}`;
    if (current && openSig === `${sig};${stage}`) {
      return stage === 'grace' ? { requeueAfterMs: outlookChangesAt - now } : undefined;
    }
    try {
      await deps.sink.emit([
        stormAlert({ cluster: deps.cluster, id, since, state: storm, opts, podsOnNodes: podsOn(storm.notReady), status: 'firing', now }),
      ]);
    } catch (err) {
      throw new Error('cannot report the NotReady storm', { cause: err });
    }
    await reports.mark('storm:current', OPEN_TTL, value);
    return stage === 'grace' ? { requeueAfterMs: outlookChangesAt - now } : undefined;
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
