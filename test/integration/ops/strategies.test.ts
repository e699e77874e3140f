/**
 * Each delete-pod strategy end to end on the simulated cluster, through the chat commands: the
 * plan names the strategy and every API change, `confirm` runs it on the leader, the result is
 * posted back, and afterwards exactly the target is gone while its siblings are untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod, Workload } from '../../../sim/types.ts';
import { waitFor } from '../../helpers/wait.ts';
import { startOpsHarness } from './harness.ts';
import type { OpsHarness } from './harness.ts';

let h: OpsHarness;
const pods = (ns: string, prefix: string) =>
  (h.sim.store.list('pods', { namespace: ns }).items as Pod[]).filter((p) => p.metadata.name!.startsWith(prefix));
const uids = (ns: string, prefix: string) => Object.fromEntries(pods(ns, prefix).map((p) => [p.metadata.name!, p.metadata.uid!]));
const workload = (resource: string, ns: string, name: string) => h.sim.store.get(resource, ns, name) as Workload;

beforeAll(async () => {
  h = await startOpsHarness();
});
afterAll(async () => {
  await h.close();
});

async function planAndRun(user: string, line: string) {
  const plan = await h.say(user, line);
  expect(plan.reply.error, plan.text).toBeFalsy();
  const id = h.idOf(plan.text);
  const confirmed = await h.say(user, `confirm ${h.codeOf(plan.text)}`);
  expect(confirmed.reply.error, confirmed.text).toBeFalsy();
  return { plan: plan.text, op: await h.final(id) };
}

describe('delete-pod strategies', () => {
  it('OpenKruise: adds the ordinal to reserveOrdinals and decrements replicas in one update', async () => {
    const before = uids('data', 'kafka-');
    const { plan, op } = await planAndRun('alice', 'delete-pod data/kafka-1');
    expect(plan).toContain('OpenKruise reserveOrdinals');
    expect(plan).toContain('spec.replicas 3 → 2, spec.reserveOrdinals += 1');
    expect(plan).toContain('dry run accepted');
    expect(op.status, op.result).toBe('succeeded');
    const sts = workload('statefulsets.apps.kruise.io', 'data', 'kafka');
    expect(sts.spec.replicas).toBe(2);
    expect(sts.spec.reserveOrdinals).toEqual([1]);
    expect(uids('data', 'kafka-')).toEqual({ 'kafka-0': before['kafka-0'], 'kafka-2': before['kafka-2'] });
    await waitFor(
      () => h.posted.some((p) => p.includes(`operation ${op.id} by alice: delete-pod data/kafka-1 succeeded`)),
      'the result posted',
    );
  });

  it('PingCAP: adds the ordinal to the delete-slots annotation and decrements replicas in one update', async () => {
    const before = uids('data', 'tikv-');
    const { plan, op } = await planAndRun('alice', 'delete-pod data/tikv-0');
    expect(plan).toContain('PingCAP delete-slots');
    expect(op.status, op.result).toBe('succeeded');
    const sts = workload('statefulsets.apps.pingcap.com', 'data', 'tikv');
    expect(sts.spec.replicas).toBe(2);
    expect(sts.metadata.annotations?.['delete-slots']).toBe('[0]');
    expect(uids('data', 'tikv-')).toEqual({ 'tikv-1': before['tikv-1'], 'tikv-2': before['tikv-2'] });
  });

  it('apps/v1 StatefulSet, not the highest ordinal, without the label protocol: refused, recreate-pod offered', async () => {
    const ip = pods('shop', 'db-0')[0]!.status!.podIP!;
    const r = await h.say('alice', `delete-pod ${ip}`);
    expect(r.reply.error).toBe(true);
    expect(r.text).toContain('only scales in from its highest ordinal');
    expect(r.text).toContain('recreate-pod shop/db-0');
    expect(workload('statefulsets', 'shop', 'db').spec.replicas).toBe(3);
  });

  it('apps/v1 StatefulSet, highest ordinal: scale in by one', async () => {
    const before = uids('shop', 'db-');
    const { plan, op } = await planAndRun('bob', 'delete-pod shop/db-2');
    expect(plan).toContain('scale in (highest ordinal)');
    expect(op.status, op.result).toBe('succeeded');
    expect(workload('statefulsets', 'shop', 'db').spec.replicas).toBe(2);
    expect(uids('shop', 'db-')).toEqual({ 'db-0': before['db-0'], 'db-1': before['db-1'] });
  });

  it('recreate-pod: the StatefulSet pod comes back under the same name, Ready', async () => {
    const before = uids('shop', 'db-');
    const { plan, op } = await planAndRun('bob', 'recreate-pod shop/db-1');
    expect(plan).toContain('the StatefulSet controller recreates the same ordinal');
    expect(op.status, op.result).toBe('succeeded');
    expect(op.result).toContain('db-1 recreated');
    const after = uids('shop', 'db-');
    expect(after['db-0']).toBe(before['db-0']);
    expect(after['db-1']).toBeDefined();
    expect(after['db-1']).not.toBe(before['db-1']);
  });

  it('Deployment: pod-deletion-cost + scale in, and verification names the pod when the controller removed another one', async () => {
    // This simulated ReplicaSet controller ignores pod-deletion-cost (it removes the newest pod
    // first), so the target is one it would not pick: verification must catch the wrong removal.
    const all = pods('web', 'front-').sort(
      (a, b) =>
        (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
        a.metadata.name!.localeCompare(b.metadata.name!),
    );
    const target = all[0]!;
    const { plan, op } = await planAndRun('alice', `delete-pod web/${target.metadata.name}`);
    expect(plan).toContain('pod-deletion-cost + scale in');
    expect(plan).toContain('controller.kubernetes.io/pod-deletion-cost=-2147483648');
    const stored = h.sim.store.get('pods', 'web', target.metadata.name!);
    if (stored) {
      expect(op.status).toBe('failed');
      expect(op.result).toContain('was removed instead of or besides');
      expect(stored.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost']).toBe('-2147483648');
    } else {
      expect(op.status, op.result).toBe('succeeded');
    }
    expect(workload('deployments', 'web', 'front').spec.replicas).toBe(2);
  });

  it('refuses bare pods, DaemonSet and Job pods with the reason', async () => {
    const { extraPod } = await import('./cluster.ts');
    h.sim.store.create('pods', extraPod('default', 'lonely', 'node-1'));
    h.sim.store.create(
      'pods',
      extraPod('default', 'agent-x1', 'node-1', { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-1' }),
    );
    h.sim.store.create(
      'pods',
      extraPod('default', 'batch-x1', 'node-1', { apiVersion: 'batch/v1', kind: 'Job', name: 'batch', uid: 'job-1' }),
    );
    await new Promise((r) => setTimeout(r, 100));
    expect((await h.say('alice', 'delete-pod default/lonely')).text).toContain('bare pod');
    expect((await h.say('alice', 'delete-pod default/agent-x1')).text).toContain('DaemonSet');
    expect((await h.say('alice', 'recreate-pod default/batch-x1')).text).toContain('Job');
  });
});

describe('apps/v1 label protocol (a patched StatefulSet controller)', () => {
  let p: OpsHarness;
  beforeAll(async () => {
    p = await startOpsHarness({ sim: { statefulsetLabelProtocol: true }, ops: { statefulsetLabelProtocol: true } });
  });
  afterAll(async () => {
    await p.close();
  });

  it('removes a middle ordinal in four resumable steps, leaving the other instances untouched', async () => {
    const list = () => (p.sim.store.list('pods', { namespace: 'shop' }).items as Pod[]).filter((x) => !x.metadata.deletionTimestamp);
    const before = Object.fromEntries(list().map((x) => [x.metadata.name!, x.metadata.uid!]));
    const ip = list().find((x) => x.metadata.name === 'db-0')!.status!.podIP!;
    const plan = await p.say('alice', `delete-pod ${ip}`);
    expect(plan.text).toContain('label protocol');
    expect(plan.text).toContain('labels db=deleted');
    expect(plan.text).toContain('remove label db');
    await p.say('alice', `confirm ${p.codeOf(plan.text)}`);
    const op = await p.final(p.idOf(plan.text));
    expect(op.status, op.result).toBe('succeeded');
    expect(op.steps.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done', 'done']);
    const sts = p.sim.store.get('statefulsets', 'shop', 'db') as Workload;
    expect(sts.spec.replicas).toBe(2);
    expect(sts.metadata.labels?.db).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300));
    expect(Object.fromEntries(list().map((x) => [x.metadata.name!, x.metadata.uid!]))).toEqual({
      'db-1': before['db-1'],
      'db-2': before['db-2'],
    });
    const shown = await p.say('alice', 'ops');
    expect(shown.text).toContain(op.id);
    expect(shown.text).toContain('succeeded');
  });
});
