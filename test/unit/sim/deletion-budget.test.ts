import { describe, expect, it } from 'vitest';
import { deleteRequest, podGracePeriod } from '../../../sim/deletion.ts';
import { daemonFits } from '../../../sim/drivers/daemonset-controller.ts';
import { budgetStatus } from '../../../sim/drivers/disruption-controller.ts';
import type { Budget } from '../../../sim/eviction.ts';
import { createStore } from '../../../sim/store.ts';
import type { KubeObject, Node, Pod } from '../../../sim/types.ts';

const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const ready = [{ type: 'Ready', status: 'True' }];

function runningPod(name: string, extra: Partial<Pod['metadata']> = {}, isReady = true): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'a', labels: { app: 'x' }, ...extra },
    spec: { nodeName: 'n1', containers: [{ name: 'c' }] },
    status: { phase: 'Running', conditions: isReady ? ready : [{ type: 'Ready', status: 'False' }] },
  };
}

describe('delete options', () => {
  it('reads gracePeriodSeconds, preconditions and dryRun from the query and the body', () => {
    expect(deleteRequest(new URLSearchParams('gracePeriodSeconds=0&dryRun=All'), undefined)).toEqual({
      dryRun: true,
      gracePeriodSeconds: 0,
    });
    expect(deleteRequest(new URLSearchParams(), { gracePeriodSeconds: 5, dryRun: ['All'], preconditions: { uid: 'u' } })).toEqual({
      dryRun: true,
      gracePeriodSeconds: 5,
      preconditions: { uid: 'u' },
    });
    expect(() => deleteRequest(new URLSearchParams('gracePeriodSeconds=soon'), undefined)).toThrow(expect.objectContaining({ code: 400 }));
  });

  it('gives bound running pods their grace and the others none', () => {
    const pod = runningPod('p');
    expect(podGracePeriod(pod)).toBe(30);
    expect(podGracePeriod({ ...pod, spec: { ...pod.spec, terminationGracePeriodSeconds: 5 } })).toBe(5);
    expect(podGracePeriod(pod, 0)).toBe(0);
    expect(podGracePeriod({ ...pod, spec: { containers: [] } })).toBe(0);
    expect(podGracePeriod({ ...pod, status: { phase: 'Succeeded' } })).toBe(0);
  });

  it('marks in the store on a graceful delete, only shortens later, and keeps the mark through updates', () => {
    const store = createStore({ seed: 1 });
    store.load([ns('a')]);
    const created = store.create('pods', runningPod('p'));
    const marked = store.delete('pods', 'a', 'p', undefined, { gracePeriodSeconds: 30 });
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(marked.metadata.generation).toBe(2);
    expect(store.delete('pods', 'a', 'p', undefined, { gracePeriodSeconds: 60 }).metadata.resourceVersion).toBe(
      marked.metadata.resourceVersion,
    );
    expect(store.delete('pods', 'a', 'p', undefined, { gracePeriodSeconds: 10 }).metadata.deletionGracePeriodSeconds).toBe(10);
    const updated = store.update('pods', { ...created, metadata: { ...created.metadata, resourceVersion: undefined, labels: { b: '1' } } });
    expect(updated.metadata.deletionTimestamp).toBeTruthy();
    expect(() => store.delete('pods', 'a', 'p', { uid: 'other' })).toThrow(expect.objectContaining({ code: 409 }));
    store.delete('pods', 'a', 'p', { uid: created.metadata.uid });
    expect(store.get('pods', 'a', 'p')).toBeUndefined();
  });
});

describe('PodDisruptionBudget status', () => {
  const store = createStore({ seed: 1 });
  const pdb = (spec: Budget['spec'], status?: Budget['status']): Budget => ({
    metadata: { name: 'b', namespace: 'a', generation: 3 },
    spec,
    status,
  });

  it('counts from minAvailable as an integer over the matching pods', () => {
    const pods = [runningPod('p1'), runningPod('p2'), runningPod('p3', {}, false), runningPod('p4', { deletionTimestamp: 'x' })];
    expect(budgetStatus(store, pdb({ minAvailable: 1 }), pods, Date.now())).toEqual({
      observedGeneration: 3,
      disruptionsAllowed: 1,
      currentHealthy: 2,
      desiredHealthy: 1,
      expectedPods: 4,
    });
  });

  it('keeps recent evictions out of currentHealthy and drops old or finished ones', () => {
    const now = Date.parse('2026-01-01T00:10:00Z');
    const status = budgetStatus(
      store,
      pdb({ minAvailable: 1 }, { disruptedPods: { p1: '2026-01-01T00:09:30Z', p2: '2026-01-01T00:01:00Z', gone: '2026-01-01T00:09:59Z' } }),
      [runningPod('p1'), runningPod('p2')],
      now,
    );
    expect(status).toMatchObject({ currentHealthy: 1, disruptionsAllowed: 0, disruptedPods: { p1: '2026-01-01T00:09:30Z' } });
  });

  it('needs the controllers scale for percentages and maxUnavailable, and refuses pods without one', () => {
    expect(budgetStatus(store, pdb({ maxUnavailable: 1 }), [runningPod('bare')], Date.now())).toMatchObject({
      expectedPods: 0,
      desiredHealthy: 0,
    });
    const owned = runningPod('d', {
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: 'u', controller: true }],
    });
    expect(() => budgetStatus(store, pdb({ minAvailable: '50%' }), [owned], Date.now())).toThrow(/no controller|no scale/);
  });
});

describe('daemon pod placement', () => {
  const node = (labels: Record<string, string>, taints: Node['spec']['taints'] = []): Node => ({
    metadata: { name: 'n', labels },
    spec: { taints },
    status: {},
  });
  const template = { spec: { containers: [], nodeSelector: { disk: 'ssd' } } };

  it('follows the nodeSelector and tolerates cordoning and node conditions but not other taints', () => {
    expect(daemonFits(template, node({ disk: 'ssd' }, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]))).toBe(true);
    expect(daemonFits(template, node({ disk: 'ssd' }, [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }]))).toBe(true);
    expect(daemonFits(template, node({ disk: 'hdd' }))).toBe(false);
    expect(daemonFits(template, node({ disk: 'ssd' }, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]))).toBe(false);
  });
});
