/**
 * Node operations: cordon and uncordon; drain through the Eviction API only, skipping DaemonSet
 * and mirror pods, waiting on a PodDisruptionBudget that blocks for a while and then allows,
 * and carried on by another replica when the leader goes away in the middle; the node-share
 * red line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject, Node, Pod } from '../../../sim/types.ts';
import { sleep, waitFor } from '../../helpers/wait.ts';
import { extraPod } from './cluster.ts';
import { startOpsHarness } from './harness.ts';
import type { OpsHarness } from './harness.ts';

let h: OpsHarness;
const node = (name: string) => h.sim.store.get('nodes', undefined, name) as Node;
const podsOn = (name: string) =>
  (h.sim.store.list('pods', { fieldSelector: `spec.nodeName=${name}` }).items as Pod[]).filter((p) => !p.metadata.deletionTimestamp);
const events: Array<{ type: string; resource: string; name: string; cordoned?: boolean; evicted?: boolean }> = [];

beforeAll(async () => {
  h = await startOpsHarness({
    kube: {
      leaderElection: {
        enabled: true,
        namespace: 'default',
        leaseName: 'fm-ops',
        leaseDurationMs: 1000,
        renewDeadlineMs: 700,
        retryPeriodMs: 100,
      },
    },
  });
  h.sim.store.subscribe((e) => {
    const o = e.object as Pod & Node;
    events.push({
      type: e.type,
      resource: e.resource,
      name: `${o.metadata.namespace ?? ''}/${o.metadata.name}`,
      ...(e.resource === 'nodes'
        ? { cordoned: o.spec?.unschedulable === true && (e.old as Node | undefined)?.spec?.unschedulable !== true }
        : {}),
      ...(e.resource === 'pods'
        ? {
            evicted:
              (o as Pod).status?.conditions?.some((c) => c.type === 'DisruptionTarget' && c.reason === 'EvictionByEvictionAPI') ?? false,
          }
        : {}),
    });
  });
  await waitFor(() => h.deps.kube!.isLeader(), 'the first replica to lead');
});
afterAll(async () => {
  await h.close();
});

describe('cordon and uncordon', () => {
  it('cordons a node by IP after confirmation and uncordons it again', async () => {
    const plan = await h.say('alice', 'cordon 10.0.0.12');
    expect(plan.text).toContain('PATCH node node-2');
    expect(node('node-2').spec?.unschedulable).toBeFalsy();
    await h.say('alice', `confirm ${h.codeOf(plan.text)}`);
    expect((await h.final(h.idOf(plan.text))).status).toBe('succeeded');
    expect(node('node-2').spec?.unschedulable).toBe(true);
    expect(node('node-2').metadata.annotations?.['firstmate.io/operation']).toBe(`${h.idOf(plan.text)} by alice`);
    const second = await h.say('alice', 'cordon node-5');
    expect(second.text).toContain('red line `node-share`');
    const un = await h.say('alice', 'uncordon node-2');
    await h.say('alice', `confirm ${h.codeOf(un.text)}`);
    expect((await h.final(h.idOf(un.text))).status).toBe('succeeded');
    expect(node('node-2').spec?.unschedulable).toBeFalsy();
    expect(node('node-2').metadata.annotations?.['firstmate.io/operation']).toBeUndefined();
  });

  it('node operations need every namespace', async () => {
    expect((await h.say('wes', 'cordon node-3')).text).toContain('node operations need every namespace');
  });
});

describe('drain', () => {
  it('evicts through the Eviction API, waits on a blocking PDB, survives a leader failover, and skips DaemonSet and mirror pods', async () => {
    const front = (h.sim.store.list('pods', { namespace: 'web' }).items as Pod[])[0]!;
    const target = front.spec.nodeName!;
    h.sim.store.create(
      'pods',
      extraPod('default', `agent-${target}`, target, { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-1' }),
    );
    h.sim.store.create('pods', extraPod('kube-system', `etcd-${target}`, target, undefined, true));
    const pdb: KubeObject = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'front', namespace: 'web' },
      spec: { minAvailable: 3, selector: { matchLabels: { app: 'front' } } },
    };
    h.sim.store.create('poddisruptionbudgets', pdb);
    const moving = podsOn(target).filter((p) => !p.metadata.name!.startsWith('agent-') && !p.metadata.name!.startsWith('etcd-'));
    expect(moving.length).toBeGreaterThan(0);

    const mark = events.length;
    const plan = await h.say('alice', `drain ${target}`);
    expect(plan.text).toContain('High-risk');
    expect(plan.text).toContain('POST pods/eviction');
    const id = h.idOf(plan.text);
    const ok = await h.say('bob', `confirm ${h.codeOf(plan.text)}`);
    expect(ok.reply.error, ok.text).toBeFalsy();
    await waitFor(async () => (await h.op(id)).steps[1]?.note?.includes('waiting on PodDisruptionBudgets'), 'the drain to wait on the PDB');
    expect(podsOn(target).some((p) => p.metadata.uid === front.metadata.uid)).toBe(true);

    const b = await h.replica();
    await h.deps.lifecycle.stop(5000);
    await waitFor(() => b.kube!.isLeader(), 'the second replica to take over');
    await sleep(200);
    expect((await b.ops!.store.get(id))!.status).toBe('running');
    h.sim.store.mutate('poddisruptionbudgets', 'web', 'front', (o) => {
      (o.spec as { minAvailable: number }).minAvailable = 1;
    });
    const op = await waitFor(async () => {
      const o = await b.ops!.store.get(id);
      return o && o.status !== 'running' ? o : undefined;
    }, 'the drain to finish on the new leader');
    expect(op.status, op.result).toBe('succeeded');
    const left = podsOn(target).map((p) => p.metadata.name!);
    expect(left.sort()).toEqual([`agent-${target}`, `etcd-${target}`].sort());
    expect(node(target).spec?.unschedulable).toBe(true);
    expect(events.slice(mark).filter((e) => e.resource === 'nodes' && e.name === `/${target}` && e.cordoned)).toHaveLength(1);
    for (const p of moving) {
      const gone = events.filter(
        (e) => e.resource === 'pods' && e.name === `${p.metadata.namespace}/${p.metadata.name}` && e.type === 'DELETED',
      );
      expect(gone.length, p.metadata.name).toBeGreaterThanOrEqual(1);
    }
    const evictedFront = events.filter((e) => e.resource === 'pods' && e.name === `web/${front.metadata.name}` && e.type === 'DELETED');
    expect(evictedFront).toHaveLength(1);
    expect(evictedFront[0]!.evicted).toBe(true);

    // The moves the drain caused are recorded with the operation as their cause, and not reported.
    const chain = await waitFor(async () => {
      for (const p of h.sim.store.list('pods', { namespace: 'web' }).items as Pod[]) {
        const c = await b.kube!.history('web', p.metadata.name!);
        if (c.some((i) => i.uid === front.metadata.uid)) return c;
      }
      return undefined;
    }, 'the migration of the evicted pod recorded');
    expect(chain.find((i) => i.uid === front.metadata.uid)).toMatchObject({ reason: 'operation', detail: `${id} by alice` });
    for (const d of [h.deps, b])
      expect(await d.metrics.registry.metrics()).not.toMatch(/firstmate_kube_alerts_total\{alertname="KubePodMigrated"\} [1-9]/);
  });
});
