import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, PolicyV1Api, Watch } from '@kubernetes/client-node';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeployment, buildStatefulSet, isoAgo } from '../../../sim/cluster-builders.ts';
import type { Sim } from '../../../sim/sim.ts';
import { startTestSim, tinyCluster, waitFor } from './sim-fixture.ts';

const run = promisify(execFile);
const KUBECTL = 'kubectl';
const hasKubectl = spawnSync(KUBECTL, ['version', '--client'], { stdio: 'ignore' }).status === 0;
if (!hasKubectl) console.warn('kubectl drain test skipped: kubectl not found (install it with: apt-get install -y kubernetes-client)');

describe.skipIf(!hasKubectl)('unmodified kubectl drain against the sim', () => {
  let sim: Sim;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let dir: string;
  let kubeconfig: string;

  beforeAll(async () => {
    const base = { cpu: '100m', memory: '64Mi', createdAt: isoAgo(Date.now(), 3_600_000) };
    const agent = buildDeployment({ namespace: 'team-a', name: 'agent', replicas: 1, image: 'agent:1', ...base });
    const daemonSet = { ...agent, kind: 'DaemonSet', spec: { selector: agent.spec.selector, template: agent.spec.template } };
    const cluster = tinyCluster(3, [
      daemonSet,
      buildDeployment({ namespace: 'team-a', name: 'web', replicas: 3, image: 'web:1', ...base }),
      buildStatefulSet('statefulsets', { namespace: 'team-b', name: 'db', replicas: 3, image: 'db:1', ...base }),
    ]);
    ({ sim, kc } = await startTestSim({}, cluster));
    core = kc.makeApiClient(CoreV1Api);
    dir = await mkdtemp(join(tmpdir(), 'firstmate-kubectl-'));
    kubeconfig = join(dir, 'kubeconfig.yaml');
    await writeFile(kubeconfig, sim.kubeConfigYaml(), { mode: 0o600 });
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  const kubectl = (...args: string[]) =>
    run(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 });

  it('evicts through the Eviction API, skipping DaemonSet pods, and a PodDisruptionBudget at 0 blocks it', async () => {
    const node = (await core.readNamespacedPod({ namespace: 'team-b', name: 'db-0' })).spec!.nodeName!;
    const onNode = async () => (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items;
    const daemon = (await onNode()).find((p) => p.metadata?.ownerReferences?.[0]?.kind === 'DaemonSet');
    expect(daemon).toBeDefined();
    const policy = kc.makeApiClient(PolicyV1Api);
    await policy.createNamespacedPodDisruptionBudget({
      namespace: 'team-b',
      body: { metadata: { name: 'db' }, spec: { maxUnavailable: 0, selector: { matchLabels: { app: 'db' } } } },
    });
    await waitFor(async () => (await policy.readNamespacedPodDisruptionBudget({ namespace: 'team-b', name: 'db' })).status, 'db budget');

    const blocked = await kubectl('drain', node, '--ignore-daemonsets', '--timeout=2s').then(
      () => undefined,
      (err: { stdout: string; stderr: string }) => err,
    );
    expect(blocked, 'drain must fail while the budget allows no disruption').toBeDefined();
    expect(blocked!.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
    const db0 = await core.readNamespacedPod({ namespace: 'team-b', name: 'db-0' });
    expect(db0.metadata?.deletionTimestamp).toBeUndefined();
    expect((await core.readNode({ name: node })).spec?.unschedulable).toBe(true);

    const evicted: V1Pod[] = [];
    const ctrl = await new Watch(kc).watch(
      '/api/v1/pods',
      { resourceVersion: String(sim.store.resourceVersion()) },
      (type: string, obj: V1Pod) => {
        if (type === 'DELETED') evicted.push(obj);
      },
      () => undefined,
    );
    await policy.patchNamespacedPodDisruptionBudget({
      namespace: 'team-b',
      name: 'db',
      body: [{ op: 'replace', path: '/spec/maxUnavailable', value: 1 }],
    });
    await waitFor(
      async () => (await policy.readNamespacedPodDisruptionBudget({ namespace: 'team-b', name: 'db' })).status?.disruptionsAllowed === 1,
      'db budget allows one',
    );
    const drained = await kubectl('drain', node, '--ignore-daemonsets', '--timeout=30s');
    ctrl.abort();
    expect(drained.stdout).toContain(`node/${node} drained`);
    expect(drained.stdout).toContain('pod/db-0 evicted');
    const left = await onNode();
    expect(left.map((p) => p.metadata?.name)).toEqual([daemon!.metadata!.name]);
    const gone = evicted.filter((p) => p.spec?.nodeName === node);
    expect(gone.length).toBeGreaterThan(0);
    for (const p of gone) {
      expect(p.status?.conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({ reason: 'EvictionByEvictionAPI' });
    }
  });
});
