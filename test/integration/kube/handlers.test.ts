import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Block, Reply } from '../../../core/reply.ts';
import { UserError } from '../../../core/errors.ts';
import { host } from '../../../handlers/host.ts';
import { pod } from '../../../handlers/pod.ts';
import { pods } from '../../../handlers/pods.ts';
import type { CommandContext, Handler } from '../../../handlers/types.ts';
import type { KubeRuntime } from '../../../kube/runtime.ts';
import { createDemoCluster } from '../../../sim/demo-cluster.ts';
import { kubeAlert } from '../../../kube/alerts.ts';
import { createTestDeps } from '../../helpers/deps.ts';
import { idle, startHarness, waitFor } from './harness.ts';
import type { Harness } from './harness.ts';
import { createCommandServices } from '../../../app/services.ts';

let h: Harness;
let kube: KubeRuntime;
let deps: Awaited<ReturnType<typeof createTestDeps>>;

const run = (handler: Handler, ...args: string[]): Promise<Reply> => {
  const ctx: CommandContext = {
    services: { ...createCommandServices(deps), kube },
    identity: { platform: 'console', userId: 'tester', channelId: 'console' },
    user: { id: 'tester', name: 'tester', role: 'viewer', namespaces: ['*'] },
    args,
    handlers: [host, pod, pods],
  };
  return handler.run(ctx);
};

const field = (r: Reply, label: string) =>
  r.blocks.flatMap((b) => (b.kind === 'fields' ? b.fields : [])).find((f) => f.label === label)?.value;
const tables = (r: Reply) => r.blocks.filter((b): b is Extract<Block, { kind: 'table' }> => b.kind === 'table');
const table = (r: Reply, firstColumn: string) => tables(r).find((t) => t.columns[0] === firstColumn);

beforeAll(async () => {
  deps = await createTestDeps({ alerts: { route: { receiver: 'console', group_wait: '10ms' } } });
  await deps.lifecycle.start();
  h = await startHarness({}, createDemoCluster());
  kube = await h.startKube();
  await idle(kube);
});
afterAll(async () => {
  await h.close();
  await deps.stop();
});

describe('startup on the demo cluster', () => {
  it('reports what the cluster shows and was never reported: the OOM kill and the eviction, with owner routing labels', () => {
    const seen = h.sink.alerts.map(
      (a) => `${a.labels.alertname} ${a.labels.namespace}/${a.labels.pod?.replace(/-[a-z0-9]+$/, '')} ${a.labels.reason}`,
    );
    expect(seen.filter((x) => !x.startsWith('KubePodMigrated')).sort()).toEqual([
      'KubeContainerOOMKilled orders/order-consumer-1nxmo9r OOMKilled',
      'KubePodEvicted search/search-api-1xwltnb memory-pressure',
    ]);
    // The evicted pod's replacement counts as a migration when the scheduler put it elsewhere.
    for (const m of h.sink.named('KubePodMigrated'))
      expect(m.labels).toMatchObject({ namespace: 'search', reason: 'evicted', workload: 'Deployment/search-api' });
    expect(h.sink.alerts.every((a) => a.labels.owner && a.labels.channel)).toBe(true);
  });
});

describe('host', () => {
  it('answers for a node IP with identity, labels, resources, conditions and pods by namespace', async () => {
    const r = await run(host, '10.0.0.12');
    expect(r.blocks[0]).toEqual({ kind: 'heading', text: 'host node-02' });
    expect(field(r, 'status')).toBe('Ready');
    expect(field(r, 'addresses')).toContain('10.0.0.12 (InternalIP)');
    expect(field(r, 'zone')).toMatch(/^cn-east-1[abc]$/);
    expect(field(r, 'disk type')).toBe('ssd');
    expect(field(r, 'cordoned')).toBe('no');
    expect(field(r, 'kubelet')).toMatch(/^v1\./);
    const res = table(r, 'resource')!;
    const cpu = res.rows.find((x) => x[0] === 'cpu')!;
    expect(cpu[1]).toBe('32');
    const onNode = kube.cache.podsOnNode('node-02').filter((p) => p.phase === 'Running');
    const requested = onNode.reduce((s, p) => s + p.cpuRequestMillis, 0);
    expect(cpu[4]).toBe(`${Math.round((requested / kube.cache.node('node-02')!.allocatable.cpuMillis) * 100)}%`);
    const byNs = table(r, 'namespace')!;
    expect(byNs.rows.reduce((s, row) => s + Number(row[1]), 0)).toBe(onNode.length);
    expect(table(r, 'condition')!.rows.find((x) => x[0] === 'Ready')![1]).toBe('True');
  });

  it('shows recent node events (the OOM kill the demo left)', async () => {
    const oom = [...kube.cache.pods()].find((p) => p.containers.some((c) => c.lastTerminated?.reason === 'OOMKilled'))!;
    const r = await run(host, oom.nodeName);
    const events = table(r, 'age')!;
    expect(events.columns).toEqual(['age', 'type', 'reason', 'message']);
    expect(events.rows.some((row) => row[2] === 'OOMKilling' && row[3]!.includes('Memory cgroup out of memory'))).toBe(true);
  });

  it('lists the open alerts about the node, found by name or address', async () => {
    const alert = kubeAlert({
      alertname: 'NodeTCPRetransHigh',
      cluster: 'test',
      severity: 'warning',
      node: 'node-03',
      summary: 'retransmissions',
      description: '',
      startsAt: Date.now(),
    });
    await deps.alerts.sink.emit([
      alert,
      { ...alert, fingerprint: 'ffffffffffffffff', labels: { alertname: 'Other' }, subject: { node: 'node-04' } },
    ]);
    await waitFor(async () => (await deps.alerts.incidents.open()).length >= 2, 'two open incidents');
    const open = table(await run(host, 'node-03'), 'ref')!;
    expect(open.columns).toEqual(['ref', 'alert', 'severity', 'subject', 'since']);
    expect(open.rows.map((r) => r.slice(1, 4))).toEqual([['NodeTCPRetransHigh', 'warning', 'node-03']]);
    expect(table(await run(host, 'node-05'), 'ref')).toBeUndefined();
  });

  it('answers by node name and shows a cordoned node', async () => {
    const r = await run(host, 'node-36');
    expect(field(r, 'cordoned')).toBe('yes');
    expect(field(r, 'disk type')).toBe('hdd');
    expect(field(r, 'status')).toContain('cordoned');
  });

  it('explains what is wrong when nothing matches', async () => {
    await expect(run(host, '10.9.9.9')).rejects.toThrow(UserError);
    await expect(run(host, 'node-99')).rejects.toThrow(/no node named node-99/);
    const podIp = kube.cache.pod('data', 'kafka-0')!.podIP;
    await expect(run(host, podIp)).rejects.toThrow(new RegExp(`pod ${podIp}`));
    await expect(run(host)).rejects.toThrow(/missing what to look up: `host /);
  });
});

describe('pod and pods', () => {
  it('pod by IP and by ns/name: node, owner, phase, restarts, last termination', async () => {
    const kafka = kube.cache.pod('data', 'kafka-0')!;
    const byIp = await run(pod, kafka.podIP);
    const byName = await run(pod, 'data/kafka-0');
    expect(field(byIp, 'pod')).toBe('data/kafka-0');
    expect(field(byName, 'node')).toBe(field(byIp, 'node'));
    expect(field(byName, 'node')).toContain(kafka.nodeName);
    expect(field(byName, 'owner')).toBe('StatefulSet/kafka');
    expect(field(byName, 'phase')).toBe('Running');

    const oom = [...kube.cache.pods()].find(
      (p) =>
        p.metadata.namespace === 'orders' && p.metadata.name.startsWith('order-consumer') && p.containers.some((c) => c.restartCount > 0),
    )!;
    const r = await run(pod, `orders/${oom.metadata.name}`);
    expect(field(r, 'restarts')).toBe('1');
    expect(field(r, 'last termination')).toMatch(/^OOMKilled/);
    expect(field(r, 'workload')).toBe('Deployment/order-consumer');
    await expect(run(pod, 'nowhere/nothing')).rejects.toThrow(/no pod matches/);
  });

  it('pods <node|ip> lists the pods on a node', async () => {
    const byName = await run(pods, 'node-02');
    const byIp = await run(pods, '10.0.0.12');
    const names = table(byName, 'namespace')!.rows.map((x) => `${x[0]}/${x[1]}`);
    expect(table(byIp, 'namespace')!.rows.map((x) => `${x[0]}/${x[1]}`)).toEqual(names);
    expect(names.sort()).toEqual(
      kube.cache
        .podsOnNode('node-02')
        .map((p) => `${p.metadata.namespace}/${p.metadata.name}`)
        .sort(),
    );
    await expect(run(pods, 'node-99')).rejects.toThrow(UserError);
  });

  it('pod shows IP and node history after a migration (fixed IP kept)', async () => {
    const before = kube.cache.pod('data', 'kafka-0')!;
    h.sim.store.mutate('nodes', undefined, before.nodeName, (o) => {
      (o.spec as { unschedulable?: boolean }).unschedulable = true;
    });
    h.sim.store.delete('pods', 'data', 'kafka-0');
    await waitFor(() => h.sink.named('KubePodMigrated').some((a) => a.labels.pod === 'kafka-0'), 'kafka-0 migration');
    // The reconciler stores the history after handing the notice over.
    await waitFor(async () => (await kube.history('data', 'kafka-0')).length === 2, 'kafka-0 history stored');
    const r = await run(pod, 'data/kafka-0');
    const hist = table(r, 'pod')!;
    expect(hist.columns).toEqual(['pod', 'node', 'ip', 'created', 'ready', 'ended']);
    expect(hist.rows).toHaveLength(2);
    expect(hist.rows[0]![1]).toBe(before.nodeName);
    const text = r.blocks.find((b) => b.kind === 'text' && b.text.startsWith('migrations'));
    expect(text).toBeTruthy();
    expect((text as { text: string }).text).toContain(`${before.nodeName} → ${kube.cache.pod('data', 'kafka-0')!.nodeName}`);
    expect((text as { text: string }).text).toContain(`IP kept ${before.podIP}`);
  });
});
