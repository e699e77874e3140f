import { CoreV1Api, Watch, makeInformer } from '@kubernetes/client-node';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sim } from '../../../sim/sim.ts';
import { podManifest, rejection, sleep, startTestSim, waitFor } from './sim-fixture.ts';

let sim: Sim;
let kc: KubeConfig;
let core: CoreV1Api;

beforeAll(async () => {
  ({ sim, kc } = await startTestSim({ bookmarkIntervalMs: 100, historySize: 20 }));
  core = kc.makeApiClient(CoreV1Api);
  for (let i = 0; i < 12; i++) {
    const tier = i % 3 === 0 ? 'db' : 'web';
    const labels: Record<string, string> = { tier, idx: String(i) };
    if (i % 4 === 0) labels.canary = 'true';
    await core.createNamespacedPod({ namespace: 'team-a', body: podManifest(`sel-${String(i).padStart(2, '0')}`, labels) as V1Pod });
  }
  sim.drivers.settle();
});
afterAll(async () => {
  await sim.close();
});

type WatchEvent = {
  type: string;
  object: {
    kind?: string;
    metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> };
    code?: number;
    reason?: string;
  };
};

/** Starts a raw watch and collects its events until `done`. */
async function collect(
  path: string,
  query: Record<string, string | number | boolean>,
): Promise<{ events: WatchEvent[]; done: Promise<unknown>; abort: () => void }> {
  const events: WatchEvent[] = [];
  let finish!: (err: unknown) => void;
  const done = new Promise<unknown>((r) => (finish = r));
  const ctrl = await new Watch(kc).watch(
    path,
    query,
    (type, object) => events.push({ type, object }),
    (err) => finish(err),
  );
  return { events, done, abort: () => ctrl.abort() };
}

describe('selectors', () => {
  const names = (pods: V1Pod[]): string[] => pods.map((p) => p.metadata!.name!).sort();

  it('filters by label selector operators', async () => {
    const q = async (labelSelector: string) => names((await core.listNamespacedPod({ namespace: 'team-a', labelSelector })).items);
    expect(await q('tier=db')).toEqual(['sel-00', 'sel-03', 'sel-06', 'sel-09']);
    expect(await q('tier==db,canary')).toEqual(['sel-00']);
    expect(await q('tier!=db')).toHaveLength(8);
    expect(await q('idx in (1, 2,11)')).toEqual(['sel-01', 'sel-02', 'sel-11']);
    expect(await q('tier=db,idx notin (0,3)')).toEqual(['sel-06', 'sel-09']);
    expect(await q('!canary,tier=db')).toEqual(['sel-03', 'sel-06', 'sel-09']);
    expect((await rejection(core.listNamespacedPod({ namespace: 'team-a', labelSelector: 'bad key=1' }))).code).toBe(400);
  });

  it('filters by field selectors, across namespaces too', async () => {
    const all = await core.listPodForAllNamespaces({ fieldSelector: 'metadata.namespace=team-a,status.phase=Running' });
    expect(all.items).toHaveLength(12);
    const somePod = all.items[0]!;
    const onNode = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${somePod.spec!.nodeName}` });
    expect(onNode.items.every((p) => p.spec?.nodeName === somePod.spec!.nodeName)).toBe(true);
    const byIp = await core.listPodForAllNamespaces({ fieldSelector: `status.podIP=${somePod.status!.podIP}` });
    expect(names(byIp.items)).toEqual([somePod.metadata!.name]);
    const byName = await core.listNamespacedPod({ namespace: 'team-a', fieldSelector: 'metadata.name!=sel-00' });
    expect(byName.items).toHaveLength(11);
    const unsupported = await rejection(core.listNamespacedPod({ namespace: 'team-a', fieldSelector: 'spec.image=x' }));
    expect(unsupported.code).toBe(400);
  });

  it('filters events by involvedObject fields', async () => {
    const pod = await core.readNamespacedPod({ namespace: 'team-a', name: 'sel-01' });
    const events = await core.listNamespacedEvent({
      namespace: 'team-a',
      fieldSelector: `involvedObject.kind=Pod,involvedObject.name=sel-01,involvedObject.uid=${pod.metadata!.uid}`,
    });
    expect(events.items.map((e) => e.reason)).toEqual(expect.arrayContaining(['Scheduled', 'Started']));
    const scheduled = events.items.find((e) => e.reason === 'Scheduled')!;
    expect(scheduled.source?.component).toBe('default-scheduler');
    expect(scheduled.count).toBe(1);
    expect(scheduled.type).toBe('Normal');
    expect(scheduled.involvedObject.namespace).toBe('team-a');
  });
});

describe('pagination', () => {
  it('pages with limit/continue over one consistent snapshot', async () => {
    const first = await core.listNamespacedPod({ namespace: 'team-a', limit: 5 });
    expect(first.items).toHaveLength(5);
    expect(first.metadata?.remainingItemCount).toBe(7);
    const rv = first.metadata!.resourceVersion;
    await core.createNamespacedPod({ namespace: 'team-a', body: podManifest('sel-99') as V1Pod });
    await core.deleteNamespacedPod({ namespace: 'team-a', name: 'sel-11', gracePeriodSeconds: 0 });
    const seen = first.items.map((p) => p.metadata!.name!);
    let cont = first.metadata?._continue;
    while (cont) {
      const page = await core.listNamespacedPod({ namespace: 'team-a', limit: 5, _continue: cont });
      expect(page.metadata?.resourceVersion).toBe(rv);
      seen.push(...page.items.map((p) => p.metadata!.name!));
      cont = page.metadata?._continue;
    }
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => `sel-${String(i).padStart(2, '0')}`));
    const fresh = await core.listNamespacedPod({ namespace: 'team-a' });
    expect(fresh.items.map((p) => p.metadata!.name)).toContain('sel-99');
    expect(fresh.items.map((p) => p.metadata!.name)).not.toContain('sel-11');
    await core.deleteNamespacedPod({ namespace: 'team-a', name: 'sel-99' });
  });

  it('pages filtered lists and rejects a garbage continue token', async () => {
    const page = await core.listNamespacedPod({ namespace: 'team-a', labelSelector: 'tier=web', limit: 3 });
    expect(page.items).toHaveLength(3);
    expect(page.metadata?.remainingItemCount).toBeUndefined();
    expect((await rejection(core.listNamespacedPod({ namespace: 'team-a', limit: 3, _continue: 'garbage' }))).code).toBe(400);
  });
});

describe('watch', () => {
  it('streams ADDED/MODIFIED/DELETED and resumes from a resourceVersion', async () => {
    const list = await core.listNamespacedPod({ namespace: 'team-b' });
    const rv = list.metadata!.resourceVersion!;
    const w = await collect('/api/v1/namespaces/team-b/pods', { resourceVersion: rv });
    await core.createNamespacedPod({ namespace: 'team-b', body: podManifest('w1') as V1Pod });
    await waitFor(() => w.events.some((e) => e.type === 'MODIFIED' && e.object.metadata?.name === 'w1'), 'w1 scheduled');
    await core.deleteNamespacedPod({ namespace: 'team-b', name: 'w1' });
    await waitFor(() => w.events.some((e) => e.type === 'DELETED'), 'w1 deleted');
    w.abort();
    const types = w.events.map((e) => e.type);
    expect(types[0]).toBe('ADDED');
    expect(types.at(-1)).toBe('DELETED');
    const rvs = w.events.map((e) => Number(e.object.metadata!.resourceVersion));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    const resumeFrom = String(rvs[0]);
    const resumed = await collect('/api/v1/namespaces/team-b/pods', { resourceVersion: resumeFrom });
    await waitFor(() => resumed.events.some((e) => e.type === 'DELETED'), 'replayed history');
    resumed.abort();
    expect(resumed.events.map((e) => e.type)).toEqual(types.slice(1));
  });

  it('sends current objects as ADDED for a watch without resourceVersion', async () => {
    const w = await collect('/api/v1/namespaces/team-a/pods', { labelSelector: 'tier=db' });
    await waitFor(() => w.events.length >= 4, 'initial events');
    w.abort();
    expect(w.events.every((e) => e.type === 'ADDED')).toBe(true);
  });

  it('answers an expired resourceVersion with an ERROR event carrying a 410 Status, then closes', async () => {
    const old = (await core.listNamespacedPod({ namespace: 'team-b' })).metadata!.resourceVersion!;
    for (let i = 0; i < 25; i++) {
      await core.createNamespacedPod({
        namespace: 'team-b',
        body: { metadata: { name: `churn-${i}` }, spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'x' }] } } as V1Pod,
      });
    }
    const w = await collect('/api/v1/namespaces/team-b/pods', { resourceVersion: old });
    const err = await w.done;
    expect(err).toBeNull();
    expect(w.events).toHaveLength(1);
    expect(w.events[0]!.type).toBe('ERROR');
    expect(w.events[0]!.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    expect((w.events[0]!.object as { message?: string }).message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });

  it('sends BOOKMARK events when allowed, with the initial-events-end marker for sendInitialEvents', async () => {
    const w = await collect('/api/v1/nodes', { allowWatchBookmarks: true, sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' });
    await waitFor(() => w.events.filter((e) => e.type === 'BOOKMARK').length >= 3, 'bookmarks');
    w.abort();
    const bookmarks = w.events.filter((e) => e.type === 'BOOKMARK');
    expect(bookmarks[0]!.object.metadata?.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
    expect(bookmarks[1]!.object).toMatchObject({ kind: 'Node', apiVersion: 'v1' });
    expect(Number(bookmarks[1]!.object.metadata!.resourceVersion)).toBeGreaterThan(0);
    expect(w.events.filter((e) => e.type === 'ADDED')).toHaveLength(3);
    const plain = await collect('/api/v1/nodes', {});
    await sleep(350);
    plain.abort();
    expect(plain.events.some((e) => e.type === 'BOOKMARK')).toBe(false);
  });

  it('ends the stream after timeoutSeconds', async () => {
    const started = Date.now();
    const w = await collect('/api/v1/nodes', { timeoutSeconds: 1 });
    expect(await w.done).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('turns selector transitions into ADDED and DELETED', async () => {
    await core.createNamespacedPod({ namespace: 'team-b', body: podManifest('flip', { color: 'red' }) as V1Pod });
    const w = await collect('/api/v1/namespaces/team-b/pods', {
      labelSelector: 'color=blue',
      resourceVersion: (await core.listNamespacedPod({ namespace: 'team-b' })).metadata!.resourceVersion!,
    });
    await core.patchNamespacedPod({
      namespace: 'team-b',
      name: 'flip',
      body: [{ op: 'replace', path: '/metadata/labels/color', value: 'blue' }],
    });
    await core.patchNamespacedPod({
      namespace: 'team-b',
      name: 'flip',
      body: [{ op: 'replace', path: '/metadata/labels/color', value: 'green' }],
    });
    await waitFor(() => w.events.length >= 2, 'transitions');
    w.abort();
    expect(w.events.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
  });
});

describe('informer', () => {
  it('sees ADDED, MODIFIED and DELETED and relists after an injected close', async () => {
    const path = '/api/v1/namespaces/team-a/pods';
    const informer = makeInformer(kc, path, () => core.listNamespacedPod({ namespace: 'team-a' }));
    const seen: string[] = [];
    informer.on('add', (p) => seen.push(`add ${p.metadata?.name}`));
    informer.on('update', (p) => seen.push(`update ${p.metadata?.name}`));
    informer.on('delete', (p) => seen.push(`delete ${p.metadata?.name}`));
    let connects = 0;
    informer.on('connect', () => connects++);
    await informer.start();
    await waitFor(() => seen.includes('add sel-00'), 'initial list');
    await core.createNamespacedPod({ namespace: 'team-a', body: podManifest('inf-1') as V1Pod });
    await waitFor(() => seen.includes('update inf-1'), 'inf-1 modified by the scheduler');
    expect(seen).toContain('add inf-1');
    expect(sim.faults.closeWatches()).toBeGreaterThanOrEqual(1);
    await waitFor(() => connects >= 2, 'reconnect');
    await core.deleteNamespacedPod({ namespace: 'team-a', name: 'inf-1' });
    await waitFor(() => seen.includes('delete inf-1'), 'inf-1 deleted');
    await informer.stop();
  });

  it('reports injected 500s to the error handler (the informer stops on non-410 errors)', async () => {
    const informer = makeInformer(kc, '/api/v1/nodes', () => core.listNode());
    const errors: unknown[] = [];
    informer.on('error', (e) => errors.push(e));
    const remove = sim.faults.failRequests({ status: 500, path: /\/api\/v1\/nodes$/ });
    await informer.start().catch(() => undefined);
    await waitFor(() => errors.length > 0, 'error callback');
    expect((errors[0] as { code?: number }).code).toBe(500);
    remove();
    await informer.start();
    await waitFor(() => informer.list().length === 3, 'recovered list');
    const stopWatch = sim.faults.failRequests({ status: 500, watch: true, count: 1 });
    sim.faults.closeWatches();
    await waitFor(() => errors.length > 1, 'watch error');
    expect((errors[1] as { statusCode?: number }).statusCode).toBe(500);
    stopWatch();
    await informer.stop();
  });

  it('relists after a 410 from an expired resourceVersion', async () => {
    let listed = 0;
    const counting = () => {
      listed++;
      return core.listNamespacedPod({ namespace: 'team-b' });
    };
    const informer = makeInformer(kc, '/api/v1/namespaces/team-b/pods', counting);
    await informer.start();
    expect(listed).toBe(1);
    await informer.stop();
    for (let i = 0; i < 25; i++) {
      await core.createNamespacedPod({
        namespace: 'team-b',
        body: { metadata: { name: `late-${i}` }, spec: { nodeName: 'node-2', containers: [{ name: 'c', image: 'x' }] } } as V1Pod,
      });
    }
    const adds: string[] = [];
    informer.on('add', (p) => adds.push(p.metadata!.name!));
    await informer.start();
    await waitFor(() => adds.includes('late-24'), 'objects after relist');
    await informer.stop();
    expect(listed).toBe(2);
  });
});
