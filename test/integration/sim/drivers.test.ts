import { AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, PolicyV1Api, Watch, setHeaderOptions } from '@kubernetes/client-node';
import type { CoreV1Event, KubeConfig, V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeployment, buildStatefulSet, isoAgo } from '../../../sim/cluster-builders.ts';
import type { Sim } from '../../../sim/sim.ts';
import { rejection, startTestSim, tinyCluster, waitFor } from './sim-fixture.ts';

let sim: Sim;
let kc: KubeConfig;
let core: CoreV1Api;
const GRACE_MS = 300;

beforeAll(async () => {
  const created = isoAgo(Date.now(), 3_600_000);
  const base = { cpu: '250m', memory: '256Mi', createdAt: created };
  const cluster = tinyCluster(4, [
    buildStatefulSet('statefulsets', { namespace: 'team-a', name: 'db', replicas: 3, image: 'postgres:16', ...base }),
    buildStatefulSet('statefulsets', {
      namespace: 'team-a',
      name: 'cache',
      replicas: 2,
      image: 'redis:7',
      annotations: { 'firstmate.io/network-mode': 'fixed-ip' },
      ...base,
    }),
    buildDeployment({ namespace: 'team-b', name: 'web', replicas: 3, image: 'nginx:1.27', owner: 'team-web', channel: '#web', ...base }),
    buildStatefulSet('statefulsets.apps.kruise.io', { namespace: 'team-b', name: 'kafka', replicas: 3, image: 'kafka:3.8', ...base }),
    buildStatefulSet('statefulsets.apps.pingcap.com', { namespace: 'team-b', name: 'tikv', replicas: 3, image: 'tikv:8', ...base }),
  ]);
  ({ sim, kc } = await startTestSim({ podEvictionGraceMs: GRACE_MS }, cluster));
  core = kc.makeApiClient(CoreV1Api);
});
afterAll(async () => {
  await sim.close();
});

const pod = (ns: string, name: string): Promise<V1Pod> => core.readNamespacedPod({ namespace: ns, name });
const eventsFor = async (ns: string, selector: string): Promise<CoreV1Event[]> =>
  (await core.listNamespacedEvent({ namespace: ns, fieldSelector: selector })).items;

describe('scheduler and kubelet', () => {
  it('runs every workload pod on a node with an IP from that node and a Ready status', async () => {
    const pods = (await core.listPodForAllNamespaces()).items;
    expect(pods).toHaveLength(3 + 2 + 3 + 3 + 3);
    const nodes = new Map((await core.listNode()).items.map((n) => [n.metadata!.name!, n]));
    for (const p of pods) {
      expect(p.status?.phase).toBe('Running');
      const node = nodes.get(p.spec!.nodeName!)!;
      expect(p.status?.hostIP).toBe(node.status!.addresses!.find((a) => a.type === 'InternalIP')!.address);
      expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(p.status?.containerStatuses?.[0]).toMatchObject({ restartCount: 0, ready: true, state: { running: {} } });
      expect(p.status?.containerStatuses?.[0]?.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
      if (p.metadata?.annotations?.['firstmate.io/network-mode'] === 'fixed-ip') expect(p.status?.podIP).toMatch(/^10\.16\./);
      else expect(p.status?.podIP?.startsWith(node.spec!.podCIDR!.replace(/0\/24$/, ''))).toBe(true);
    }
    const web = pods.filter((p) => p.metadata?.namespace === 'team-b' && p.metadata.name?.startsWith('web-'));
    expect(web[0]!.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', controller: true });
    expect(web[0]!.metadata?.annotations?.['firstmate.io/owner']).toBe('team-web');
    const db0 = pods.find((p) => p.metadata?.name === 'db-0')!;
    expect(db0.metadata?.labels).toMatchObject({ 'statefulset.kubernetes.io/pod-name': 'db-0', 'apps.kubernetes.io/pod-index': '0' });
    const sts = await kc.makeApiClient(AppsV1Api).readNamespacedStatefulSet({ namespace: 'team-a', name: 'db' });
    expect(sts.status).toMatchObject({ replicas: 3, readyReplicas: 3 });
  });

  it('schedules a new pod, records Scheduled/Started and reports FailedScheduling when nothing fits', async () => {
    await core.createNamespacedPod({
      namespace: 'team-a',
      body: { metadata: { name: 'solo' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    });
    const running = await waitFor(
      async () => ((await pod('team-a', 'solo')).status?.phase === 'Running' ? pod('team-a', 'solo') : undefined),
      'solo running',
    );
    const reasons = (await eventsFor('team-a', 'involvedObject.name=solo')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Scheduled', 'Started']));
    expect(running.spec?.nodeName).toMatch(/^node-\d$/);
    await core.createNamespacedPod({
      namespace: 'team-a',
      body: { metadata: { name: 'huge' }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '64' } } }] } },
    });
    const failed = await waitFor(
      async () => (await eventsFor('team-a', 'involvedObject.name=huge,reason=FailedScheduling'))[0],
      'FailedScheduling',
    );
    expect(failed.message).toBe('0/4 nodes are available: 4 Insufficient cpu.');
    expect(failed.type).toBe('Warning');
    expect((await pod('team-a', 'huge')).status?.conditions?.[0]).toMatchObject({
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
    });
    await core.deleteNamespacedPod({ namespace: 'team-a', name: 'huge' });
  });
});

describe('StatefulSet controller', () => {
  it('recreates a deleted pod with the same name on another node with a new IP (per-node network)', async () => {
    const before = await pod('team-a', 'db-1');
    await core.deleteNamespacedPod({ namespace: 'team-a', name: 'db-1' });
    const after = await waitFor(async () => {
      const p = await pod('team-a', 'db-1').catch(() => undefined);
      return p && p.metadata?.uid !== before.metadata?.uid && p.status?.phase === 'Running' ? p : undefined;
    }, 'db-1 recreated');
    expect(after.spec?.nodeName).not.toBe(before.spec?.nodeName);
    expect(after.status?.podIP).not.toBe(before.status?.podIP);
    expect(after.metadata?.labels?.['apps.kubernetes.io/pod-index']).toBe('1');
    const events = await eventsFor('team-a', 'involvedObject.kind=StatefulSet,involvedObject.name=db');
    expect(events.map((e) => e.message)).toContain('create Pod db-1 in StatefulSet db successful');
  });

  it('keeps the IP of a fixed-ip pod that moves to another node', async () => {
    const before = await pod('team-a', 'cache-0');
    await core.deleteNamespacedPod({ namespace: 'team-a', name: 'cache-0' });
    const after = await waitFor(async () => {
      const p = await pod('team-a', 'cache-0').catch(() => undefined);
      return p && p.metadata?.uid !== before.metadata?.uid && p.status?.phase === 'Running' ? p : undefined;
    }, 'cache-0 recreated');
    expect(after.spec?.nodeName).not.toBe(before.spec?.nodeName);
    expect(after.status?.podIP).toBe(before.status?.podIP);
    expect(sim.drivers.reservedIp('team-a', 'cache-0')).toBe(before.status?.podIP);
  });

  it('drops one specific instance via Kruise reserveOrdinals and PingCAP delete-slots', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    await custom.patchNamespacedCustomObject(
      {
        group: 'apps.kruise.io',
        version: 'v1beta1',
        namespace: 'team-b',
        plural: 'statefulsets',
        name: 'kafka',
        body: { spec: { reserveOrdinals: [1] } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await custom.patchNamespacedCustomObject(
      {
        group: 'apps.pingcap.com',
        version: 'v1',
        namespace: 'team-b',
        plural: 'statefulsets',
        name: 'tikv',
        body: { metadata: { annotations: { 'delete-slots': '[0]' } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const names = async (prefix: string) =>
      (await core.listNamespacedPod({ namespace: 'team-b' })).items
        .map((p) => p.metadata!.name!)
        .filter((n) => n.startsWith(prefix))
        .sort();
    await waitFor(async () => (await names('kafka-')).join() === 'kafka-0,kafka-2,kafka-3', 'kafka ordinals 0,2,3');
    await waitFor(async () => (await names('tikv-')).join() === 'tikv-1,tikv-2,tikv-3', 'tikv ordinals 1,2,3');
  });
});

describe('ReplicaSet controller', () => {
  it('replaces a deleted pod with a new name', async () => {
    const pods = (await core.listNamespacedPod({ namespace: 'team-b', labelSelector: 'app=web' })).items;
    const victim = pods[0]!.metadata!.name!;
    await core.deleteNamespacedPod({ namespace: 'team-b', name: victim });
    const replaced = await waitFor(async () => {
      const now = (await core.listNamespacedPod({ namespace: 'team-b', labelSelector: 'app=web', fieldSelector: 'status.phase=Running' }))
        .items;
      return now.length === 3 && !now.some((p) => p.metadata?.name === victim) ? now : undefined;
    }, 'replacement pod');
    expect(replaced.map((p) => p.metadata!.name!).filter((n) => !pods.some((o) => o.metadata?.name === n))).toHaveLength(1);
  });
});

describe('Deployment controller and scale', () => {
  it('rolls a template change onto a new ReplicaSet and scales through the scale subresource', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    await apps.createNamespacedDeployment({
      namespace: 'team-a',
      body: {
        metadata: { name: 'api' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'api' } },
          template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'api:1' }] } },
        },
      },
    });
    const running = async (image: string) =>
      (await core.listNamespacedPod({ namespace: 'team-a', labelSelector: 'app=api', fieldSelector: 'status.phase=Running' })).items.filter(
        (p) => p.spec?.containers[0]?.image === image,
      );
    await waitFor(async () => (await running('api:1')).length === 2, 'two api:1 pods');
    await apps.patchNamespacedDeployment(
      { namespace: 'team-a', name: 'api', body: { spec: { template: { spec: { containers: [{ name: 'api', image: 'api:2' }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    await waitFor(async () => (await running('api:2')).length === 2 && (await running('api:1')).length === 0, 'rolled to api:2');
    const sets = (await apps.listNamespacedReplicaSet({ namespace: 'team-a', labelSelector: 'app=api' })).items;
    expect(sets.map((rs) => rs.spec?.replicas).sort()).toEqual([0, 2]);
    const scale = await apps.patchNamespacedDeploymentScale({ namespace: 'team-a', name: 'api', body: { spec: { replicas: 4 } } }, merge);
    expect(scale.spec?.replicas).toBe(4);
    await waitFor(async () => (await running('api:2')).length === 4, 'scaled to 4');
    const deploy = await waitFor(async () => {
      const d = await apps.readNamespacedDeployment({ namespace: 'team-a', name: 'api' });
      return d.status?.readyReplicas === 4 ? d : undefined;
    }, 'deployment status');
    expect(deploy.status).toMatchObject({ replicas: 4, updatedReplicas: 4, availableReplicas: 4 });
    await apps.deleteNamespacedDeployment({ namespace: 'team-a', name: 'api' });
    await waitFor(
      async () => (await core.listNamespacedPod({ namespace: 'team-a', labelSelector: 'app=api' })).items.length === 0,
      'garbage collected',
    );
    expect((await apps.listNamespacedReplicaSet({ namespace: 'team-a', labelSelector: 'app=api' })).items).toHaveLength(0);
  });
});

describe('Eviction API', () => {
  it('refuses an eviction a PodDisruptionBudget forbids (429) and marks the evicted pod with DisruptionTarget', async () => {
    const policy = kc.makeApiClient(PolicyV1Api);
    await policy.createNamespacedPodDisruptionBudget({
      namespace: 'team-b',
      body: { metadata: { name: 'web-strict' }, spec: { minAvailable: 3, selector: { matchLabels: { app: 'web' } } } },
    });
    const victim = (await core.listNamespacedPod({ namespace: 'team-b', labelSelector: 'app=web', fieldSelector: 'status.phase=Running' }))
      .items[0]!;
    const name = victim.metadata!.name!;
    const refused = await rejection(
      core.createNamespacedPodEviction({ namespace: 'team-b', name, body: { metadata: { name, namespace: 'team-b' } } }),
    );
    expect(refused.code).toBe(429);
    expect(refused.body).toMatchObject({
      reason: 'TooManyRequests',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
    });
    await policy.deleteNamespacedPodDisruptionBudget({ namespace: 'team-b', name: 'web-strict' });
    await policy.createNamespacedPodDisruptionBudget({
      namespace: 'team-b',
      body: { metadata: { name: 'web-one' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } } },
    });
    const deleted: V1Pod[] = [];
    const ctrl = await new Watch(kc).watch(
      '/api/v1/namespaces/team-b/pods',
      { resourceVersion: (await core.listNamespacedPod({ namespace: 'team-b' })).metadata!.resourceVersion! },
      (type, obj: V1Pod) => {
        if (type === 'DELETED') deleted.push(obj);
      },
      () => undefined,
    );
    await core.createNamespacedPodEviction({ namespace: 'team-b', name, body: { metadata: { name, namespace: 'team-b' } } });
    const gone = await waitFor(() => deleted.find((p) => p.metadata?.name === name), 'evicted pod deleted');
    ctrl.abort();
    expect(gone.status?.conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({
      status: 'True',
      reason: 'EvictionByEvictionAPI',
    });
    await policy.deleteNamespacedPodDisruptionBudget({ namespace: 'team-b', name: 'web-one' });
  });
});

describe('node failure', () => {
  it('marks the node NotReady and tainted, then evicts its pods after the grace period; controllers recreate them', async () => {
    const node = (await core.readNamespacedPod({ namespace: 'team-a', name: 'db-0' })).spec!.nodeName!;
    const victims = (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items;
    expect(victims.length).toBeGreaterThan(0);
    const started = Date.now();
    sim.drivers.nodeNotReady(node);
    const n = await core.readNode({ name: node });
    expect(n.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
    });
    expect(n.spec?.taints?.map((t) => `${t.key}:${t.effect}`)).toEqual([
      'node.kubernetes.io/unreachable:NoSchedule',
      'node.kubernetes.io/unreachable:NoExecute',
    ]);
    const nodeEvents = await eventsFor('default', `involvedObject.kind=Node,involvedObject.name=${node}`);
    expect(nodeEvents.find((e) => e.reason === 'NodeNotReady')).toMatchObject({
      message: `Node ${node} status is now: NodeNotReady`,
      source: { component: 'node-controller' },
    });
    const v0 = victims[0]!;
    const stillThere = await pod(v0.metadata!.namespace!, v0.metadata!.name!);
    expect(stillThere.metadata?.uid).toBe(v0.metadata?.uid);
    expect(stillThere.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    const evictions = await waitFor(async () => {
      const all = (await core.listEventForAllNamespaces({ fieldSelector: 'reason=TaintManagerEviction' })).items;
      return victims.every((v) => all.some((e) => e.involvedObject.uid === v.metadata?.uid)) ? all : undefined;
    }, 'taint manager evictions');
    expect(Date.now() - started).toBeGreaterThanOrEqual(GRACE_MS - 20);
    const ev = evictions.find((e) => e.involvedObject.uid === v0.metadata?.uid)!;
    expect(ev).toMatchObject({
      type: 'Normal',
      message: `Marking for deletion Pod ${v0.metadata!.namespace}/${v0.metadata!.name}`,
      source: { component: 'taint-eviction-controller' },
    });
    await waitFor(async () => {
      const now = (await core.listPodForAllNamespaces({ fieldSelector: 'status.phase=Running' })).items;
      return now.length >= 14 && !now.some((p) => p.spec?.nodeName === node) ? now : undefined;
    }, 'pods recreated elsewhere');
    sim.drivers.nodeReady(node);
    expect((await core.readNode({ name: node })).spec?.taints ?? []).toEqual([]);
  });
});

describe('kubelet incidents', () => {
  it('OOM-kills a container with the kubelet and node-problem-detector shapes', async () => {
    const before = await pod('team-a', 'db-2');
    sim.drivers.oomKill('team-a', 'db-2');
    const after = await pod('team-a', 'db-2');
    const cs = after.status!.containerStatuses![0]!;
    expect(cs.restartCount).toBe(1);
    expect(cs.lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    expect(cs.lastState?.terminated?.containerID).toBe(before.status!.containerStatuses![0]!.containerID);
    expect(cs.containerID).not.toBe(before.status!.containerStatuses![0]!.containerID);
    expect(cs.state?.running).toBeDefined();
    const node = after.spec!.nodeName!;
    const oom = (await eventsFor('default', `involvedObject.kind=Node,involvedObject.name=${node},reason=OOMKilling`))[0]!;
    expect(oom).toMatchObject({
      type: 'Warning',
      source: { component: 'kernel-monitor', host: node },
      involvedObject: { kind: 'Node', name: node, uid: node },
      count: 1,
    });
    expect(oom.message).toMatch(
      /^Memory cgroup out of memory: Killed process \d+ \(postgres\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB, shmem-rss:0kB, UID:0 pgtables:\d+kB oom_score_adj:-?\d+$/,
    );
  });

  it('evicts a pod for memory pressure like the kubelet, and its controller replaces it', async () => {
    const web = (await core.listNamespacedPod({ namespace: 'team-b', labelSelector: 'app=web', fieldSelector: 'status.phase=Running' }))
      .items[0]!;
    const name = web.metadata!.name!;
    sim.drivers.setMemoryPressure(web.spec!.nodeName!, true);
    sim.drivers.evictForMemoryPressure('team-b', name);
    const evicted = await pod('team-b', name);
    expect(evicted.status).toMatchObject({ phase: 'Failed', reason: 'Evicted' });
    expect(evicted.status?.message).toMatch(
      /^The node was low on resource: memory\. Threshold quantity: 100Mi, available: \d+Ki\. Container web was using \d+Ki, request is 256Mi, has larger consumption of memory\. $/,
    );
    const ev = (await eventsFor('team-b', `involvedObject.name=${name},reason=Evicted`))[0]!;
    expect(ev).toMatchObject({
      type: 'Warning',
      source: { component: 'kubelet', host: web.spec!.nodeName },
      message: evicted.status!.message,
    });
    const node = await core.readNode({ name: web.spec!.nodeName! });
    expect(node.status?.conditions?.find((c) => c.type === 'MemoryPressure')?.status).toBe('True');
    expect(node.spec?.taints?.map((t) => t.key)).toContain('node.kubernetes.io/memory-pressure');
    await waitFor(
      async () =>
        (await core.listNamespacedPod({ namespace: 'team-b', labelSelector: 'app=web', fieldSelector: 'status.phase=Running' })).items
          .length === 3,
      'replacement',
    );
    const replacement = (
      await core.listNamespacedPod({ namespace: 'team-b', labelSelector: 'app=web', fieldSelector: 'status.phase=Running' })
    ).items;
    expect(replacement.map((p) => p.metadata?.name)).not.toContain(name);
    expect((await pod('team-b', name)).status?.phase).toBe('Failed');
    sim.drivers.setMemoryPressure(web.spec!.nodeName!, false);
  });

  it('evicted StatefulSet pods are deleted and recreated under the same name', async () => {
    const before = await pod('team-a', 'db-2');
    sim.drivers.evictForMemoryPressure('team-a', 'db-2');
    const after = await waitFor(async () => {
      const p = await pod('team-a', 'db-2').catch(() => undefined);
      return p && p.metadata?.uid !== before.metadata?.uid && p.status?.phase === 'Running' ? p : undefined;
    }, 'db-2 recreated');
    expect(after.status?.containerStatuses?.[0]?.restartCount).toBe(0);
  });

  it('preempts a pod with a Preempted event from the scheduler', async () => {
    const victim = (await core.listNamespacedPod({ namespace: 'team-b', labelSelector: 'app=web', fieldSelector: 'status.phase=Running' }))
      .items[0]!;
    sim.drivers.preempt('team-b', victim.metadata!.name!);
    const ev = (await eventsFor('team-b', `involvedObject.name=${victim.metadata!.name},reason=Preempted`))[0]!;
    expect(ev.message).toMatch(new RegExp(`^Preempted by pod [0-9a-f-]{36} on node ${victim.spec!.nodeName}$`));
    expect(ev.source?.component).toBe('default-scheduler');
    await expect(pod('team-b', victim.metadata!.name!)).rejects.toMatchObject({ code: 404 });
  });

  it('aggregates repeated events into one object with a count', async () => {
    const node = await core.readNode({ name: 'node-1' });
    const input = {
      involved: node as never,
      reason: 'Rebooted',
      message: 'Node node-1 has been rebooted, boot id: x',
      type: 'Warning' as const,
      component: 'kubelet',
      host: 'node-1',
    };
    sim.drivers.recordEvent(input);
    sim.drivers.recordEvent(input);
    const events = await eventsFor('default', 'involvedObject.name=node-1,reason=Rebooted');
    expect(events).toHaveLength(1);
    expect(events[0]!.count).toBe(2);
  });
});
