import { describe, expect, it } from 'vitest';
import { podDeletionCost, rankForDeletion } from '../../../sim/drivers/pod-deletion-rank.ts';
import type { Pod } from '../../../sim/types.ts';

interface Shape {
  node?: string;
  phase?: string;
  ready?: boolean;
  cost?: string;
  restarts?: number[];
  created?: string;
}
const pod = (name: string, s: Shape = {}): Pod => ({
  metadata: {
    name,
    creationTimestamp: s.created ?? '2026-01-01T00:00:00Z',
    ...(s.cost === undefined ? {} : { annotations: { 'controller.kubernetes.io/pod-deletion-cost': s.cost } }),
  },
  spec: { containers: [], ...(s.node === undefined ? {} : { nodeName: s.node }) },
  status: {
    phase: s.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: s.ready === false ? 'False' : 'True' }],
    containerStatuses: (s.restarts ?? [0]).map((restartCount, i) => ({ name: `c${i}`, restartCount })) as never,
  },
});
const order = (...pods: Pod[]) => rankForDeletion(pods).map((p) => p.metadata.name);

describe('ReplicaSet scale-in order', () => {
  it('reads the deletion cost as an int32; absent or invalid is 0', () => {
    expect(podDeletionCost(pod('a'))).toBe(0);
    expect(podDeletionCost(pod('a', { cost: '-2147483648' }))).toBe(-2147483648);
    expect(podDeletionCost(pod('a', { cost: '2147483647' }))).toBe(2147483647);
    expect(podDeletionCost(pod('a', { cost: '+7' }))).toBe(7);
    for (const bad of ['2147483648', '-2147483649', '1.5', 'high', '', ' 3']) expect(podDeletionCost(pod('a', { cost: bad }))).toBe(0);
  });

  it('unassigned, then Pending, Unknown, Running; then not ready before ready', () => {
    expect(
      order(
        pod('ready', { node: 'n' }),
        pod('not-ready', { node: 'n', ready: false }),
        pod('unknown', { node: 'n', phase: 'Unknown' }),
        pod('pending', { node: 'n', phase: 'Pending' }),
        pod('unassigned', { phase: 'Pending' }),
      ),
    ).toEqual(['unassigned', 'pending', 'unknown', 'not-ready', 'ready']);
  });

  it('readiness outranks the cost; the cost outranks restarts and age', () => {
    expect(
      order(pod('cheap-ready', { node: 'n', cost: '-2147483648' }), pod('dear-not-ready', { node: 'n', ready: false, cost: '1000' })),
    ).toEqual(['dear-not-ready', 'cheap-ready']);
    expect(
      order(
        pod('new-restarting', { node: 'n', restarts: [9], created: '2026-02-01T00:00:00Z' }),
        pod('old-cheap', { node: 'n', cost: '-1' }),
        pod('invalid-cost', { node: 'n', cost: 'x', created: '2026-03-01T00:00:00Z' }),
      ),
    ).toEqual(['old-cheap', 'new-restarting', 'invalid-cost']);
  });

  it('at equal cost: more restarts (highest container) first, then newer first', () => {
    expect(
      order(
        pod('old', { node: 'n' }),
        pod('new', { node: 'n', created: '2026-02-01T00:00:00Z' }),
        pod('restarted', { node: 'n', restarts: [0, 3] }),
        pod('restarted-less', { node: 'n', restarts: [2, 2] }),
      ),
    ).toEqual(['restarted', 'restarted-less', 'new', 'old']);
  });
});
