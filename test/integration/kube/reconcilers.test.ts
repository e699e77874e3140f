import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../alerts/model.ts';
import { idle, startHarness, waitFor } from './harness.ts';
import type { Harness } from './harness.ts';

const cordon = (h: Harness, node: string) =>
  h.sim.store.mutate('nodes', undefined, node, (o) => {
    (o.spec as { unschedulable?: boolean }).unschedulable = true;
  });

const podOf = (h: Harness, ns: string, name: string) =>
  h.sim.store.get('pods', ns, name) as { spec: { nodeName: string }; status: { podIP: string }; metadata: { uid: string } };

const summary = (alerts: Alert[]) =>
  alerts.map((a) => `${a.labels.alertname}:${a.status}:${a.labels.pod ?? a.labels.node}:${a.labels.reason ?? ''}`).sort();

describe('reconcilers against the simulated cluster', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('a deleted StatefulSet pod that comes back on another node is one KubePodMigrated (IP changes per node)', async () => {
    h = await startHarness();
    const kube = await h.startKube();
    await idle(kube);
    expect(h.sink.alerts).toEqual([]);
    const before = podOf(h, 'shop', 'db-1');
    cordon(h, before.spec.nodeName);
    h.sim.store.delete('pods', 'shop', 'db-1');
    const [alert] = await waitFor(() => h.sink.some('KubePodMigrated'), 'migration alert');
    await idle(kube);
    const after = podOf(h, 'shop', 'db-1');
    expect(after.spec.nodeName).not.toBe(before.spec.nodeName);
    expect(h.sink.alerts).toHaveLength(1);
    expect(alert!.labels).toMatchObject({
      alertname: 'KubePodMigrated',
      namespace: 'shop',
      pod: 'db-1',
      workload: 'StatefulSet/db',
      node: after.spec.nodeName,
      from_node: before.spec.nodeName,
      reason: 'deleted',
      cluster: 'test',
      owner: 'team-db',
      channel: '#db-oncall',
    });
    expect(alert!.annotations).toMatchObject({ ip_kept: 'false', old_ip: before.status.podIP, new_ip: after.status.podIP });
    expect(alert!.annotations.summary).toContain(`from ${before.spec.nodeName} to ${after.spec.nodeName}`);
    expect(alert!.source).toBe('kubernetes');

    const history = await kube.history('shop', 'db-1');
    expect(history.map((i) => [i.node, i.ip])).toEqual([
      [before.spec.nodeName, before.status.podIP],
      [after.spec.nodeName, after.status.podIP],
    ]);
  });

  it('in fixed-IP mode the migration says the IP was kept', async () => {
    h = await startHarness({ networkMode: 'fixed-ip' });
    const kube = await h.startKube();
    await idle(kube);
    const before = podOf(h, 'shop', 'db-0');
    cordon(h, before.spec.nodeName);
    h.sim.store.delete('pods', 'shop', 'db-0');
    const [alert] = await waitFor(() => h.sink.some('KubePodMigrated'), 'migration alert');
    expect(alert!.annotations.ip_kept).toBe('true');
    expect(alert!.annotations.new_ip).toBe(before.status.podIP);
    expect(alert!.annotations.description).toContain(`stayed ${before.status.podIP}`);
  });

  it('node NotReady → node alert; after the taint-manager eviction → evictions and migrations for node failure; Ready → resolved', async () => {
    h = await startHarness();
    const kube = await h.startKube();
    await idle(kube);
    const node = podOf(h, 'shop', 'db-2').spec.nodeName;
    const victims = [...h.sim.store.scan('pods')]
      .filter((p) => (p.spec as { nodeName?: string }).nodeName === node)
      .map((p) => p.metadata.name as string);
    h.sim.drivers.nodeNotReady(node, { graceMs: 300 });
    await waitFor(() => h.sink.named('KubeNodeNotReady').length, 'node alert');
    await waitFor(
      () => h.sink.named('KubePodMigrated').length === victims.length && h.sink.named('KubePodEvicted').length === victims.length,
      'evictions and migrations',
    );
    await idle(kube);
    const notReady = h.sink.named('KubeNodeNotReady');
    expect(notReady).toHaveLength(1);
    expect(notReady[0]!.labels).toMatchObject({ node, severity: 'critical' });
    for (const a of h.sink.named('KubePodMigrated')) expect(a.labels).toMatchObject({ from_node: node, reason: 'node-failure' });
    for (const a of h.sink.named('KubePodEvicted')) expect(a.labels).toMatchObject({ node, reason: 'taint-manager' });
    expect(
      h.sink
        .named('KubePodMigrated')
        .map((a) => a.labels.workload)
        .sort(),
    ).toEqual(victims.map((v) => (v.startsWith('db-') ? 'StatefulSet/db' : 'Deployment/front')).sort());

    h.sim.drivers.nodeReady(node);
    const resolved = await waitFor(() => h.sink.named('KubeNodeNotReady').find((a) => a.status === 'resolved'), 'resolved');
    expect(resolved.fingerprint).toBe(notReady[0]!.fingerprint);
    await idle(kube);
    expect(h.sink.alerts.length).toBe(2 + 2 * victims.length);
  });

  it('OOM kills: one alert per restart with limit, restart count and node; the node OOM event is not reported twice', async () => {
    h = await startHarness();
    const kube = await h.startKube({ nodeOomGraceMs: 200 });
    await idle(kube);
    h.sim.drivers.oomKill('shop', 'db-0');
    await waitFor(() => h.sink.named('KubeContainerOOMKilled').length === 1, 'first OOM alert');
    h.sim.drivers.oomKill('shop', 'db-0');
    await waitFor(() => h.sink.named('KubeContainerOOMKilled').length === 2, 'second OOM alert');
    await idle(kube, 400);
    const ooms = h.sink.named('KubeContainerOOMKilled');
    expect(ooms).toHaveLength(2);
    expect(ooms.map((a) => a.annotations.restart_count)).toEqual(['1', '2']);
    expect(ooms[0]!.annotations.memory_limit).toBe('2Gi');
    expect(ooms[0]!.labels).toMatchObject({
      pod: 'db-0',
      container: 'db',
      node: podOf(h, 'shop', 'db-0').spec.nodeName,
      reason: 'OOMKilled',
      owner: 'team-db',
    });
    expect(ooms[0]!.fingerprint).toBe(ooms[1]!.fingerprint);
    expect(h.sink.alerts).toHaveLength(2);
  });

  it('a node OOM event no container explains is reported on its own after the grace', async () => {
    h = await startHarness();
    const kube = await h.startKube({ nodeOomGraceMs: 100 });
    await idle(kube);
    const node = h.sim.store.get('nodes', undefined, 'node-1')!;
    h.sim.drivers.recordEvent({
      involved: node,
      involvedUid: 'node-1',
      reason: 'OOMKilling',
      message: 'Memory cgroup out of memory: Killed process 4242 (sshd)',
      type: 'Warning',
      component: 'kernel-monitor',
      host: 'node-1',
    });
    const [a] = await waitFor(() => h.sink.some('KubeContainerOOMKilled'), 'node OOM alert');
    expect(a!.labels).toMatchObject({ node: 'node-1', reason: 'OOMKilling' });
    expect(a!.annotations.message).toContain('sshd');
  });

  it('memory-pressure eviction is one KubePodEvicted naming the resource', async () => {
    h = await startHarness();
    const kube = await h.startKube();
    await idle(kube);
    const name = [...h.sim.store.scan('pods')].find((p) => p.metadata.namespace === 'web')!.metadata.name as string;
    const node = podOf(h, 'web', name).spec.nodeName;
    h.sim.drivers.evictForMemoryPressure('web', name);
    const [a] = await waitFor(() => h.sink.some('KubePodEvicted'), 'eviction alert');
    await idle(kube);
    expect(a!.labels).toMatchObject({
      namespace: 'web',
      pod: name,
      node,
      reason: 'memory-pressure',
      workload: 'Deployment/front',
      owner: 'team-web',
    });
    expect(a!.annotations.description).toContain('low on resource: memory');
    expect(h.sink.named('KubePodEvicted')).toHaveLength(1);
  });

  it('preemption is one KubePodEvicted (preempted) and, once the pod is back elsewhere, one migration', async () => {
    h = await startHarness();
    const kube = await h.startKube();
    await idle(kube);
    const before = podOf(h, 'shop', 'db-2');
    cordon(h, before.spec.nodeName);
    h.sim.drivers.preempt('shop', 'db-2', { namespace: 'shop', name: 'db-0' });
    await waitFor(() => h.sink.some('KubePodEvicted') && h.sink.some('KubePodMigrated'), 'eviction and migration');
    await idle(kube);
    const [evicted] = h.sink.named('KubePodEvicted');
    expect(evicted!.labels).toMatchObject({ pod: 'db-2', node: before.spec.nodeName, reason: 'preempted' });
    expect(evicted!.annotations.description).toMatch(/^Preempted by pod \S+ on node /);
    expect(h.sink.named('KubePodMigrated')[0]!.labels).toMatchObject({ pod: 'db-2', from_node: before.spec.nodeName, reason: 'preempted' });
    expect(h.sink.alerts).toHaveLength(2);
  });

  it('node pressure fires and resolves once', async () => {
    h = await startHarness();
    const kube = await h.startKube();
    await idle(kube);
    h.sim.drivers.setMemoryPressure('node-3', true);
    await waitFor(() => h.sink.named('KubeNodePressure').length, 'pressure alert');
    h.sim.drivers.setMemoryPressure('node-3', false);
    await waitFor(() => h.sink.named('KubeNodePressure').length === 2, 'pressure resolved');
    await idle(kube);
    expect(summary(h.sink.alerts)).toEqual([
      'KubeNodePressure:firing:node-3:MemoryPressure',
      'KubeNodePressure:resolved:node-3:MemoryPressure',
    ]);
  });

  it('nothing is reported twice after a relist, a restart of the whole runtime, or while the sink was down', async () => {
    h = await startHarness();
    let kube = await h.startKube();
    await idle(kube);
    h.sim.drivers.oomKill('shop', 'db-2');
    h.sim.drivers.setMemoryPressure('node-2', true);
    const before = podOf(h, 'shop', 'db-1');
    cordon(h, before.spec.nodeName);
    h.sim.store.delete('pods', 'shop', 'db-1');
    await waitFor(() => h.sink.alerts.length >= 3, 'three alerts');
    await idle(kube);
    const first = summary(h.sink.alerts);
    expect(first).toHaveLength(3);

    h.sim.faults.closeWatches();
    h.sim.faults.failRequests({ status: 410, count: 1, watch: true });
    await idle(kube, 300);
    await kube.stop();
    kube = await h.startKube();
    await idle(kube, 300);
    expect(summary(h.sink.alerts)).toEqual(first);

    await kube.stop();
    h.sink.failing = true;
    kube = await h.startKube();
    h.sim.drivers.oomKill('shop', 'db-0');
    await idle(kube, 300);
    h.sink.failing = false;
    await waitFor(() => h.sink.alerts.length === 4, 'the OOM alert after the sink recovered');
    await idle(kube, 300);
    expect(
      h.sink
        .named('KubeContainerOOMKilled')
        .map((a) => a.labels.pod)
        .sort(),
    ).toEqual(['db-0', 'db-2']);
  });
});
