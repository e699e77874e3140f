import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoCluster } from '../../../sim/demo-cluster.ts';
import { generateCluster } from '../../../sim/generate-cluster.ts';
import { startSim } from '../../../sim/sim.ts';
import type { Sim } from '../../../sim/sim.ts';

describe('demo cluster', () => {
  let sim: Sim;
  let core: CoreV1Api;
  beforeAll(async () => {
    sim = await startSim({ cluster: createDemoCluster() });
    const kc = new KubeConfig();
    kc.loadFromOptions(sim.kubeConfig());
    core = kc.makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    await sim.close();
  });

  it('has 36 nodes over three zones with disk types, and 10.0.0.12 is node-02', async () => {
    const nodes = (await core.listNode()).items;
    expect(nodes).toHaveLength(36);
    expect(new Set(nodes.map((n) => n.metadata!.labels!['topology.kubernetes.io/zone']))).toEqual(
      new Set(['cn-east-1a', 'cn-east-1b', 'cn-east-1c']),
    );
    expect(new Set(nodes.map((n) => n.metadata!.labels!['firstmate.io/disk-type']))).toEqual(new Set(['ssd', 'hdd']));
    const n02 = nodes.find((n) => n.status?.addresses?.some((a) => a.type === 'InternalIP' && a.address === '10.0.0.12'))!;
    expect(n02.metadata?.name).toBe('node-02');
    expect(n02.status?.nodeInfo).toMatchObject({ kubeletVersion: 'v1.31.4', containerRuntimeVersion: 'containerd://1.7.24' });
    expect(n02.status?.allocatable?.cpu).toBe('31500m');
    expect(nodes.find((n) => n.metadata?.name === 'node-36')?.spec?.unschedulable).toBe(true);
  });

  it('runs a few hundred pods incl. fixed-IP StatefulSets of three flavours and owner annotations', async () => {
    const pods = (await core.listPodForAllNamespaces()).items;
    expect(pods.length).toBeGreaterThan(200);
    expect(pods.filter((p) => p.status?.phase === 'Running').length).toBe(pods.length - 1);
    const onNode02 = (await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node-02' })).items;
    expect(onNode02.length).toBeGreaterThan(3);
    const kafka0 = pods.find((p) => p.metadata?.namespace === 'data' && p.metadata.name === 'kafka-0')!;
    expect(kafka0.metadata?.ownerReferences?.[0]).toMatchObject({ apiVersion: 'apps.kruise.io/v1beta1', kind: 'StatefulSet' });
    expect(kafka0.status?.podIP).toMatch(/^10\.16\.1\.\d+$/);
    const tikv = pods.find((p) => p.metadata?.name === 'tikv-0')!;
    expect(tikv.metadata?.ownerReferences?.[0]?.apiVersion).toBe('apps.pingcap.com/v1');
    expect(pods.filter((p) => p.metadata?.annotations?.['firstmate.io/owner']).length).toBeGreaterThan(100);
    const events = (await core.listEventForAllNamespaces()).items.map((e) => e.reason);
    expect(events).toEqual(expect.arrayContaining(['OOMKilling', 'Evicted']));
    const oomed = pods.find((p) => p.status?.containerStatuses?.[0]?.lastState?.terminated?.reason === 'OOMKilled');
    expect(oomed?.metadata?.name).toMatch(/^order-consumer-/);
  });

  it('is deterministic for a seed', async () => {
    const again = await startSim({ cluster: createDemoCluster() });
    try {
      const key = (
        items: { metadata: { namespace?: string; name?: string }; spec: { nodeName?: string }; status?: { podIP?: string } }[],
      ) => items.map((p) => `${p.metadata.namespace}/${p.metadata.name}@${p.spec.nodeName}=${p.status?.podIP}`).sort();
      const a = key(sim.store.list('pods').items as never);
      const b = key(again.store.list('pods').items as never);
      expect(b).toEqual(a);
    } finally {
      await again.close();
    }
  });
});

describe('generated cluster', () => {
  it('builds pre-placed pods that load without controller writes and page through the API', async () => {
    const cluster = generateCluster({ nodes: 50, pods: 2000 });
    const sim = await startSim({ cluster });
    try {
      expect(sim.store.resourceVersion()).toBe(cluster.objects.length + 1);
      const kc = new KubeConfig();
      kc.loadFromOptions(sim.kubeConfig());
      const core = kc.makeApiClient(CoreV1Api);
      let cont: string | undefined;
      const names = new Set<string>();
      let rv: string | undefined;
      do {
        const page = await core.listPodForAllNamespaces({ limit: 500, _continue: cont });
        rv ??= page.metadata?.resourceVersion;
        expect(page.metadata?.resourceVersion).toBe(rv);
        for (const p of page.items) names.add(`${p.metadata?.namespace}/${p.metadata?.name}`);
        cont = page.metadata?._continue;
      } while (cont);
      expect(names.size).toBe(2000);
      const ips = new Set((sim.store.list('pods').items as { status?: { podIP?: string } }[]).map((p) => p.status?.podIP));
      expect(ips.size).toBe(2000);
    } finally {
      await sim.close();
    }
  });
});
