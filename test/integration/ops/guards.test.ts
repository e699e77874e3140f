/**
 * The guards around execution, adversarially: double confirmation, two operators racing on one
 * StatefulSet, a PodDisruptionBudget at 0, a protected namespace (and an admin's audited
 * override), confirmation by someone without the role or outside the namespace scope, a
 * high-risk plan needing a second operator, a target recreated under the same name between plan
 * and confirm, and an expired code. Every refusal leaves the cluster as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject, Pod, Workload } from '../../../sim/types.ts';
import { waitFor } from '../../helpers/wait.ts';
import { startOpsHarness } from './harness.ts';
import type { OpsHarness } from './harness.ts';

let h: OpsHarness;
const pod = (ns: string, name: string) => h.sim.store.get('pods', ns, name) as Pod | undefined;
const replicas = (resource: string, ns: string, name: string) => (h.sim.store.get(resource, ns, name) as Workload).spec.replicas;
const writes: string[] = [];

beforeAll(async () => {
  h = await startOpsHarness({ ops: { highRisk: { kinds: ['drain'], namespaces: ['data'] } } });
  h.sim.store.subscribe((e) => {
    if (e.type !== 'ADDED' && ['statefulsets', 'statefulsets.apps.kruise.io'].includes(e.resource))
      writes.push(
        `${e.type} ${e.resource} ${e.object.metadata.namespace}/${e.object.metadata.name} ${JSON.stringify((e.object.spec as { replicas?: number } | undefined)?.replicas)}`,
      );
  });
});
afterAll(async () => {
  await h.close();
});

describe('confirmation', () => {
  it('a code confirmed twice at once runs the operation once', async () => {
    const plan = await h.say('alice', 'recreate-pod shop/db-0');
    const code = h.codeOf(plan.text);
    const [a, b] = await Promise.all([h.say('alice', `confirm ${code}`), h.say('alice', `confirm ${code}`)]);
    expect([a.reply.error ?? false, b.reply.error ?? false].sort()).toEqual([false, true]);
    const op = await h.final(h.idOf(plan.text));
    expect(op.status).toBe('succeeded');
    expect(op.history.filter((t) => t.event === 'confirmed')).toHaveLength(1);
    expect(op.history.filter((t) => t.event === 'step 2 done')).toHaveLength(1);
    const again = await h.say('alice', `confirm ${code}`);
    expect(again.reply.error).toBe(true);
  });

  it('two operators on one StatefulSet at once: one runs, the other is refused as in flight', async () => {
    const before = writes.length;
    const p1 = await h.say('alice', 'recreate-pod shop/db-1');
    const p2 = await h.say('bob', 'delete-pod shop/db-2');
    const [c1, c2] = await Promise.all([h.say('alice', `confirm ${h.codeOf(p1.text)}`), h.say('bob', `confirm ${h.codeOf(p2.text)}`)]);
    const ok = [c1, c2].filter((c) => !c.reply.error);
    const refused = [c1, c2].filter((c) => c.reply.error);
    expect(ok).toHaveLength(1);
    expect(refused[0]!.text).toMatch(/in flight on StatefulSet\/shop\/db/);
    const winner = c1.reply.error ? h.idOf(p2.text) : h.idOf(p1.text);
    expect((await h.final(winner)).status).toBe('succeeded');
    const scaled = writes.slice(before).filter((w) => w.includes('shop/db') && w.endsWith(' 2'));
    expect(scaled.length).toBeLessThanOrEqual(1);
    expect(replicas('statefulsets', 'shop', 'db')).toBe(winner === h.idOf(p2.text) ? 2 : 3);
  });

  it('a viewer cannot confirm, nor can an operator outside the namespace; a second operator confirms a high-risk plan', async () => {
    const plan = await h.say('alice', 'recreate-pod data/kafka-0');
    expect(plan.text).toContain('High-risk');
    const code = h.codeOf(plan.text);
    expect((await h.say('vic', `confirm ${code}`)).text).toContain('needs the operator role');
    expect((await h.say('wes', `confirm ${code}`)).text).toContain('you may not act on namespace `data`');
    expect((await h.say('alice', `confirm ${code}`)).text).toContain('a second operator must confirm');
    expect((await h.op(h.idOf(plan.text))).status).toBe('planned');
    const uid = pod('data', 'kafka-0')!.metadata.uid;
    expect(pod('data', 'kafka-0')!.metadata.annotations?.['firstmate.io/operation']).toBeUndefined();
    const ok = await h.say('bob', `confirm ${code}`);
    expect(ok.reply.error, ok.text).toBeFalsy();
    const op = await h.final(h.idOf(plan.text));
    expect(op.status, op.result).toBe('succeeded');
    expect(op.confirmedBy).toEqual(['bob']);
    expect(pod('data', 'kafka-0')!.metadata.uid).not.toBe(uid);
  });

  it('someone else cannot confirm an ordinary plan', async () => {
    const plan = await h.say('alice', 'recreate-pod web/' + (h.sim.store.list('pods', { namespace: 'web' }).items[0] as Pod).metadata.name);
    expect((await h.say('bob', `confirm ${h.codeOf(plan.text)}`)).text).toContain('only alice');
    expect((await h.say('alice', `cancel ${h.codeOf(plan.text)}`)).text).toContain('cancelled');
  });

  it('a target recreated under the same name between plan and confirm invalidates the plan; the new pod is untouched', async () => {
    const plan = await h.say('alice', 'recreate-pod shop/db-0');
    const old = pod('shop', 'db-0')!.metadata.uid;
    h.sim.store.delete('pods', 'shop', 'db-0');
    const fresh = await waitFor(() => {
      const p = pod('shop', 'db-0');
      return p && p.metadata.uid !== old ? p : undefined;
    }, 'db-0 recreated by the controller');
    const r = await h.say('alice', `confirm ${h.codeOf(plan.text)}`);
    expect(r.reply.error).toBe(true);
    expect(r.text).toContain('changed since the plan');
    const op = await h.op(h.idOf(plan.text));
    expect(op.status).toBe('failed');
    expect(op.steps.every((s) => s.state === 'pending')).toBe(true);
    const now = pod('shop', 'db-0')!;
    expect(now.metadata.uid).toBe(fresh.metadata.uid);
    expect(now.metadata.resourceVersion).toBe(fresh.metadata.resourceVersion);
  });
});

describe('red lines', () => {
  it('a PodDisruptionBudget allowing no disruption refuses the plan, naming it and how to proceed', async () => {
    const pdb: KubeObject = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'tikv-pdb', namespace: 'data' },
      spec: { minAvailable: 3, selector: { matchLabels: { app: 'tikv' } } },
    };
    h.sim.store.create('poddisruptionbudgets', pdb);
    await waitFor(
      () =>
        (h.sim.store.get('poddisruptionbudgets', 'data', 'tikv-pdb')?.status as { disruptionsAllowed?: number } | undefined)
          ?.disruptionsAllowed === 0,
      'the disruption controller to compute the budget',
    );
    const r = await h.say('alice', 'recreate-pod data/tikv-1');
    expect(r.reply.error).toBe(true);
    expect(r.text).toContain('red line `pdb`');
    expect(r.text).toContain('tikv-pdb');
    expect(r.text).toContain('To proceed');
    h.sim.store.delete('poddisruptionbudgets', 'data', 'tikv-pdb');
  });

  it('a protected namespace is refused; an admin overrides that red line by name, and the audit log says so', async () => {
    const target = (h.sim.store.list('pods', { namespace: 'kube-system' }).items as Pod[])[0]!.metadata.name!;
    const r = await h.say('alice', `recreate-pod kube-system/${target}`);
    expect(r.text).toContain('red line `protected-namespace`');
    expect((await h.say('alice', `recreate-pod kube-system/${target} --override protected-namespace`)).text).toContain('only an admin');
    const ok = await h.say('carol', `recreate-pod kube-system/${target} --override protected-namespace`);
    expect(ok.reply.error, ok.text).toBeFalsy();
    expect(ok.text).toContain('overridden red lines');
    const audit = await h.say('carol', 'audit 20');
    expect(audit.text).toContain('override protected-namespace');
    await h.say('carol', `cancel ${h.codeOf(ok.text)}`);
  });

  it('a workload with another instance down is refused', async () => {
    h.sim.store.mutate(
      'pods',
      'data',
      'tikv-2',
      (o) => {
        const p = o as Pod;
        p.status!.conditions = p.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'False' } : c));
      },
      'status',
    );
    const r = await h.say('alice', 'recreate-pod data/tikv-1');
    expect(r.text).toContain('red line `workload-not-ready`');
    expect(r.text).toContain('tikv-2');
  });

  it('operations are counted in /metrics by kind and outcome', async () => {
    const text = await h.deps.metrics.registry.metrics();
    expect(text).toMatch(/firstmate_operations_total\{kind="recreate-pod",outcome="succeeded"\} [1-9]/);
    expect(text).toMatch(/firstmate_operations_total\{kind="recreate-pod",outcome="refused"\} [1-9]/);
    expect(text).toMatch(/firstmate_operations_total\{kind="recreate-pod",outcome="confirmed"\} [1-9]/);
  });
});

describe('expiry', () => {
  let e: OpsHarness;
  beforeAll(async () => {
    e = await startOpsHarness({ ops: { confirmTtlSeconds: 1 } });
  });
  afterAll(async () => {
    await e.close();
  });

  it('an expired code confirms nothing; the runner marks the plan expired', async () => {
    const plan = await e.say('alice', 'recreate-pod shop/db-0');
    const id = e.idOf(plan.text);
    const op = await e.final(id, 5000);
    expect(op.status).toBe('expired');
    const r = await e.say('alice', `confirm ${e.codeOf(plan.text)}`);
    expect(r.reply.error).toBe(true);
    expect(r.text).toMatch(/no plan waits for code|expired/);
    expect(op.steps.every((s) => s.state === 'pending')).toBe(true);
  });
});
