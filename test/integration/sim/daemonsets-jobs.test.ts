import { AppsV1Api, BatchV1Api, CoreV1Api, PolicyV1Api, Watch } from '@kubernetes/client-node';
import type { KubeConfig, V1Job, V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sim } from '../../../sim/sim.ts';
import { startTestSim, tinyCluster, waitFor } from './sim-fixture.ts';

let sim: Sim;
let kc: KubeConfig;
let core: CoreV1Api;

beforeAll(async () => {
  ({ sim, kc } = await startTestSim({}, tinyCluster(3)));
  core = kc.makeApiClient(CoreV1Api);
});
afterAll(async () => {
  await sim.close();
});

const template = (app: string, extra: Record<string, unknown> = {}) => ({
  metadata: { labels: { app } },
  spec: { containers: [{ name: app, image: `${app}:1`, resources: { requests: { cpu: '10m', memory: '16Mi' } } }], ...extra },
});

describe('DaemonSet controller', () => {
  it('runs one pod per node, cordoned nodes included, replaces a deleted one and reports status', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    await core.patchNode({ name: 'node-3', body: [{ op: 'add', path: '/spec/unschedulable', value: true }] });
    await apps.createNamespacedDaemonSet({
      namespace: 'team-a',
      body: { metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent') } },
    });
    const podsByNode = async () =>
      new Map(
        (await core.listNamespacedPod({ namespace: 'team-a', labelSelector: 'app=agent' })).items
          .filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp)
          .map((p) => [p.spec!.nodeName!, p]),
      );
    const first = await waitFor(async () => ((await podsByNode()).size === 3 ? podsByNode() : undefined), 'a daemon pod per node');
    const pod = first.get('node-1')!;
    expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'DaemonSet', name: 'agent', controller: true });
    expect(pod.spec?.tolerations).toContainEqual(expect.objectContaining({ key: 'node.kubernetes.io/unschedulable' }));
    const ds = await waitFor(async () => {
      const d = await apps.readNamespacedDaemonSet({ namespace: 'team-a', name: 'agent' });
      return d.status?.numberReady === 3 ? d : undefined;
    }, 'daemon set status');
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 3, currentNumberScheduled: 3, numberMisscheduled: 0, numberAvailable: 3 });
    await core.deleteNamespacedPod({ namespace: 'team-a', name: pod.metadata!.name!, gracePeriodSeconds: 0 });
    const again = await waitFor(async () => {
      const p = (await podsByNode()).get('node-1');
      return p && p.metadata?.uid !== pod.metadata?.uid ? p : undefined;
    }, 'daemon pod replaced on node-1');
    expect(again.metadata?.name).not.toBe(pod.metadata?.name);
    const listed = await apps.listDaemonSetForAllNamespaces();
    expect(listed.items.map((d) => d.metadata?.name)).toEqual(['agent']);
  });
});

describe('Job controller', () => {
  it('completes a Job once its pod succeeds', async () => {
    const batch = kc.makeApiClient(BatchV1Api);
    await batch.createNamespacedJob({
      namespace: 'team-b',
      body: { metadata: { name: 'once' }, spec: { template: template('once', { restartPolicy: 'Never' }) } },
    });
    const pod = await waitFor(async () => {
      const items = (await core.listNamespacedPod({ namespace: 'team-b', labelSelector: 'job-name=once' })).items;
      return items[0]?.status?.phase === 'Running' ? items[0] : undefined;
    }, 'job pod running');
    expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Job', name: 'once' });
    sim.drivers.finishPod('team-b', pod.metadata!.name!);
    const done = await waitFor(async () => {
      const j = await batch.readNamespacedJob({ namespace: 'team-b', name: 'once' });
      return j.status?.conditions?.some((c) => c.type === 'Complete') ? j : undefined;
    }, 'job complete');
    expect(done.status).toMatchObject({ succeeded: 1, failed: 0, active: 0 });
    expect(done.status?.completionTime).toBeTruthy();
  });

  it('replaces failed pods until backoffLimit is exceeded, then marks the Job Failed, seen by a watch', async () => {
    const batch = kc.makeApiClient(BatchV1Api);
    const seen: V1Job[] = [];
    const ctrl = await new Watch(kc).watch(
      '/apis/batch/v1/namespaces/team-b/jobs',
      { resourceVersion: String(sim.store.resourceVersion()) },
      (_type: string, obj: V1Job) => seen.push(obj),
      () => undefined,
    );
    await batch.createNamespacedJob({
      namespace: 'team-b',
      body: { metadata: { name: 'flaky' }, spec: { backoffLimit: 1, template: template('flaky', { restartPolicy: 'Never' }) } },
    });
    const failOne = async (n: number) => {
      const pod = await waitFor(async () => {
        const items = (await core.listNamespacedPod({ namespace: 'team-b', labelSelector: 'job-name=flaky' })).items;
        return items.length === n ? items.find((p: V1Pod) => p.status?.phase === 'Running') : undefined;
      }, `flaky pod ${n} running`);
      sim.drivers.finishPod('team-b', pod.metadata!.name!, 1);
    };
    await failOne(1);
    await failOne(2);
    const failed = await waitFor(
      () => seen.find((j) => j.metadata?.name === 'flaky' && j.status?.conditions?.some((c) => c.type === 'Failed')),
      'Failed job seen by the watch',
    );
    ctrl.abort();
    expect(failed.status).toMatchObject({ failed: 2, succeeded: 0, active: 0 });
    expect(failed.status?.conditions?.find((c) => c.type === 'Failed')).toMatchObject({
      status: 'True',
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    });
    sim.drivers.settle();
    const pods = (await core.listNamespacedPod({ namespace: 'team-b', labelSelector: 'job-name=flaky' })).items;
    expect(pods.map((p) => p.status?.phase)).toEqual(['Failed', 'Failed']);
    expect(pods[0]!.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
  });
});

describe('server-side printing of the new kinds', () => {
  it('prints Jobs, DaemonSets, budgets and finished pods with kubectl columns', async () => {
    const table = async (path: string) =>
      (await (await fetch(`${sim.url}${path}`, { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } })).json()) as {
        columnDefinitions: { name: string }[];
        rows: { cells: unknown[] }[];
      };
    const jobs = await table('/apis/batch/v1/namespaces/team-b/jobs');
    expect(jobs.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Status', 'Completions', 'Age']);
    expect(jobs.rows.map((r) => r.cells.slice(0, 3))).toEqual([
      ['flaky', 'Failed', '0/1'],
      ['once', 'Complete', '1/1'],
    ]);
    const ds = await table('/apis/apps/v1/namespaces/team-a/daemonsets');
    expect(ds.rows[0]!.cells.slice(0, 6)).toEqual(['agent', 3, 3, 3, 3, 3]);
    const pods = await table('/api/v1/namespaces/team-b/pods');
    expect(new Set(pods.rows.map((r) => r.cells[2]))).toEqual(new Set(['Completed', 'Error']));
    await kc.makeApiClient(PolicyV1Api).createNamespacedPodDisruptionBudget({
      namespace: 'team-a',
      body: { metadata: { name: 'agent' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'agent' } } } },
    });
    await waitFor(() => sim.store.get('poddisruptionbudgets', 'team-a', 'agent')?.status, 'agent budget status');
    const pdb = await table('/apis/policy/v1/namespaces/team-a/poddisruptionbudgets');
    expect(pdb.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']);
    expect(pdb.rows[0]!.cells.slice(0, 4)).toEqual(['agent', '2', 'N/A', 1]);
  });
});
