import { CoreV1Api, Watch } from '@kubernetes/client-node';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sim } from '../../../sim/sim.ts';
import { podManifest, rejection, sleep, startTestSim, waitFor } from './sim-fixture.ts';

let sim: Sim;
let kc: KubeConfig;
let core: CoreV1Api;

beforeAll(async () => {
  ({ sim, kc } = await startTestSim({ gracePeriodScale: 0.01 }));
  core = kc.makeApiClient(CoreV1Api);
});
afterAll(async () => {
  await sim.close();
});

async function runningPod(name: string, grace?: number): Promise<V1Pod> {
  const body = podManifest(name) as V1Pod;
  if (grace !== undefined) body.spec!.terminationGracePeriodSeconds = grace;
  await core.createNamespacedPod({ namespace: 'team-a', body });
  return waitFor(async () => {
    const p = await core.readNamespacedPod({ namespace: 'team-a', name });
    return p.status?.phase === 'Running' ? p : undefined;
  }, `${name} running`);
}

const exists = async (name: string): Promise<boolean> =>
  core.readNamespacedPod({ namespace: 'team-a', name }).then(
    () => true,
    () => false,
  );

describe('graceful pod deletion', () => {
  it('marks a running pod Terminating for its grace period, then the kubelet removes it', async () => {
    await runningPod('graceful', 100);
    const events: string[] = [];
    const ctrl = await new Watch(kc).watch(
      '/api/v1/namespaces/team-a/pods',
      { fieldSelector: 'metadata.name=graceful', resourceVersion: String(sim.store.resourceVersion()) },
      (type: string, obj: V1Pod) => events.push(`${type}${obj.metadata?.deletionTimestamp ? ' terminating' : ''}`),
      () => undefined,
    );
    const started = Date.now();
    const answer = await core.deleteNamespacedPod({ namespace: 'team-a', name: 'graceful' });
    expect(answer.metadata?.deletionGracePeriodSeconds).toBe(100);
    expect(Date.parse(String(answer.metadata?.deletionTimestamp)) - Date.now()).toBeGreaterThan(95_000);
    const table = (await (
      await fetch(`${sim.url}/api/v1/namespaces/team-a/pods/graceful`, {
        headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
      })
    ).json()) as { rows: { cells: unknown[] }[] };
    expect(table.rows[0]!.cells[2]).toBe('Terminating');
    await waitFor(async () => !(await exists('graceful')), 'graceful removed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(100 * 1000 * 0.01 - 20);
    await waitFor(() => events.includes('DELETED terminating'), 'DELETED event');
    ctrl.abort();
    expect(events).toEqual(['MODIFIED terminating', 'DELETED terminating']);
  });

  it('deletes at once with gracePeriodSeconds=0, also a pod already terminating', async () => {
    await runningPod('now');
    await core.deleteNamespacedPod({ namespace: 'team-a', name: 'now', gracePeriodSeconds: 0 });
    expect(await exists('now')).toBe(false);
    await runningPod('long', 3600);
    const marked = await core.deleteNamespacedPod({ namespace: 'team-a', name: 'long' });
    expect(marked.metadata?.deletionGracePeriodSeconds).toBe(3600);
    const longer = await core.deleteNamespacedPod({ namespace: 'team-a', name: 'long', gracePeriodSeconds: 7200 });
    expect(longer.metadata?.deletionTimestamp).toEqual(marked.metadata?.deletionTimestamp);
    const shorter = await core.deleteNamespacedPod({ namespace: 'team-a', name: 'long', gracePeriodSeconds: 5 });
    expect(shorter.metadata?.deletionGracePeriodSeconds).toBe(5);
    await waitFor(async () => !(await exists('long')), 'shortened grace honoured');
    await runningPod('force', 3600);
    await core.deleteNamespacedPod({ namespace: 'team-a', name: 'force' });
    await core.deleteNamespacedPod({ namespace: 'team-a', name: 'force', gracePeriodSeconds: 0 });
    expect(await exists('force')).toBe(false);
  });

  it('deletes a pod that is not bound to a node at once', async () => {
    await core.createNamespacedPod({
      namespace: 'team-a',
      body: podManifest(
        'nowhere',
        {},
        {
          spec: { nodeSelector: { absent: 'yes' }, containers: [{ name: 'app', image: 'nginx:1.27' }] },
        },
      ) as V1Pod,
    });
    await core.deleteNamespacedPod({ namespace: 'team-a', name: 'nowhere' });
    expect(await exists('nowhere')).toBe(false);
  });

  it('keeps deletionTimestamp through updates and patches', async () => {
    await runningPod('sticky', 3600);
    await core.deleteNamespacedPod({ namespace: 'team-a', name: 'sticky' });
    const before = await core.readNamespacedPod({ namespace: 'team-a', name: 'sticky' });
    const replaced = await core.replaceNamespacedPod({
      namespace: 'team-a',
      name: 'sticky',
      body: { ...before, metadata: { ...before.metadata, deletionTimestamp: undefined, labels: { touched: 'yes' } } },
    });
    expect(replaced.metadata?.deletionTimestamp).toEqual(before.metadata?.deletionTimestamp);
    expect(replaced.metadata?.labels).toEqual({ touched: 'yes' });
    await core.deleteNamespacedPod({ namespace: 'team-a', name: 'sticky', gracePeriodSeconds: 0 });
  });

  it('honours preconditions on uid and resourceVersion', async () => {
    const pod = await runningPod('guarded');
    const wrongUid = await rejection(
      core.deleteNamespacedPod({ namespace: 'team-a', name: 'guarded', body: { preconditions: { uid: 'not-this-one' } } }),
    );
    expect(wrongUid.code).toBe(409);
    expect(wrongUid.body).toMatchObject({ reason: 'Conflict' });
    expect(wrongUid.body.message).toContain('Precondition failed: UID in precondition: not-this-one');
    const staleRv = await rejection(
      core.deleteNamespacedPod({ namespace: 'team-a', name: 'guarded', body: { preconditions: { resourceVersion: '1' } } }),
    );
    expect(staleRv.code).toBe(409);
    expect(await exists('guarded')).toBe(true);
    await core.deleteNamespacedPod({
      namespace: 'team-a',
      name: 'guarded',
      gracePeriodSeconds: 0,
      body: { preconditions: { uid: pod.metadata!.uid!, resourceVersion: pod.metadata!.resourceVersion! } },
    });
    expect(await exists('guarded')).toBe(false);
  });

  it('leaves a pod on a NotReady node Terminating until the node is back', async () => {
    const pod = await runningPod('stranded', 1);
    const node = pod.spec!.nodeName!;
    sim.drivers.nodeNotReady(node, { graceMs: 3_600_000 });
    try {
      await core.deleteNamespacedPod({ namespace: 'team-a', name: 'stranded' });
      const marked = await core.readNamespacedPod({ namespace: 'team-a', name: 'stranded' });
      expect(marked.metadata?.deletionTimestamp).toBeTruthy();
      await sleep(10 * 1000 * 0.01);
      expect(sim.store.get('pods', 'team-a', 'stranded')?.metadata.resourceVersion).toBe(marked.metadata?.resourceVersion);
    } finally {
      sim.drivers.nodeReady(node);
    }
    await waitFor(async () => !(await exists('stranded')), 'stranded pod removed once its node is Ready');
  });
});
