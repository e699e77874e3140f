/**
 * The embedded demo's story, on the demo cluster with its patched StatefulSet controller: the
 * console plans `delete-pod 10.16.1.29` (payments/mysql-0, not the highest ordinal) with the label
 * protocol, `confirm` runs it, `ops` shows it, `pod`/`host` show the outcome; a pod of the
 * OpenKruise StatefulSet data/kafka goes by its own strategy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoCluster } from '../../../sim/demo-cluster.ts';
import type { Pod, Workload } from '../../../sim/types.ts';
import { startOpsHarness } from './harness.ts';
import type { OpsHarness } from './harness.ts';

let h: OpsHarness;

beforeAll(async () => {
  h = await startOpsHarness({ cluster: createDemoCluster(), sim: { gracePeriodScale: 0.01 }, ops: { statefulsetLabelProtocol: true } });
});
afterAll(async () => {
  await h.close();
});

describe('demo: delete one StatefulSet instance by IP', () => {
  it('payments/mysql-0 by its IP: plan, confirm, ops, then pod and host show the outcome', async () => {
    const mysql = () =>
      (h.sim.store.list('pods', { namespace: 'payments' }).items as Pod[]).filter((p) => p.metadata.name!.startsWith('mysql-'));
    const replicas = (h.sim.store.get('statefulsets', 'payments', 'mysql') as Workload).spec.replicas!;
    const node = mysql().find((p) => p.metadata.name === 'mysql-0')!.spec.nodeName!;
    const plan = await h.say('carol', 'delete-pod 10.16.1.29');
    expect(plan.reply.error, plan.text).toBeFalsy();
    expect(plan.text).toContain('plan');
    expect(plan.text).toContain('payments/mysql-0');
    expect(plan.text).toContain('label protocol');
    const ok = await h.say('carol', `confirm ${h.codeOf(plan.text)}`);
    expect(ok.reply.error, ok.text).toBeFalsy();
    const id = h.idOf(plan.text);
    expect((await h.say('carol', 'ops')).text).toContain(id);
    const op = await h.final(id);
    expect(op.status, op.result).toBe('succeeded');
    expect(mysql().map((p) => p.metadata.name)).not.toContain('mysql-0');
    expect((h.sim.store.get('statefulsets', 'payments', 'mysql') as Workload).spec.replicas).toBe(replicas - 1);
    const podText = (await h.say('carol', 'pod 10.16.1.29')).text;
    expect(podText).toContain('no pod has 10.16.1.29 now');
    expect(podText).toContain(`payments/mysql-0 on ${node} had 10.16.1.29 until`);
    expect(podText).toContain(`(operation ${id} by carol)`);
    expect((await h.say('carol', 'host ' + node)).text).not.toContain('mysql-0 ');
    expect((await h.say('carol', `ops show ${id}`)).text).toContain('succeeded');
  });

  it('data/kafka (OpenKruise) by its own strategy', async () => {
    const kafka = (h.sim.store.list('pods', { namespace: 'data' }).items as Pod[]).find((p) => p.metadata.name === 'kafka-1')!;
    const plan = await h.say('carol', `delete-pod ${kafka.status!.podIP!}`);
    expect(plan.text).toContain('OpenKruise reserveOrdinals');
    await h.say('carol', `confirm ${h.codeOf(plan.text)}`);
    const op = await h.final(h.idOf(plan.text));
    expect(op.status, op.result).toBe('succeeded');
    expect((h.sim.store.get('statefulsets.apps.kruise.io', 'data', 'kafka') as Workload).spec.reserveOrdinals).toContain(1);
  });
});
