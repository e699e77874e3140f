import { describe, expect, it } from 'vitest';
import {
  DELETED_ORDINALS_ANNOTATION,
  desiredOrdinals,
  markedOrdinals,
  parseOrdinals,
  skippedOrdinals,
} from '../../../sim/drivers/statefulset-controller.ts';
import type { Pod, Workload } from '../../../sim/types.ts';

const sts = (replicas: number, extra: Partial<Workload['spec']> = {}, meta: Partial<Workload['metadata']> = {}): Workload => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db', namespace: 'a', ...meta },
  spec: { replicas, template: { spec: { containers: [] } }, ...extra },
});
const pod = (name: string, labels: Record<string, string> = {}): Pod => ({ metadata: { name, labels }, spec: { containers: [] } });

describe('StatefulSet ordinals', () => {
  it('parses numbers and "a-b" ranges and ignores junk', () => {
    expect(parseOrdinals([1, '3', '5-7', ' 9 - 10 ', 'x', -1, 2.5, null, ''])).toEqual([1, 3, 5, 6, 7, 9, 10]);
  });

  it('keeps replicas pods on the lowest ordinals not skipped', () => {
    expect(desiredOrdinals(sts(3))).toEqual([0, 1, 2]);
    expect(desiredOrdinals(sts(3), new Set([0, 2]))).toEqual([1, 3, 4]);
    expect(desiredOrdinals(sts(0), new Set([0]))).toEqual([]);
  });

  it('skips by flavour: Kruise reserveOrdinals, PingCAP delete-slots, apps/v1 nothing', () => {
    const set = sts(
      3,
      { reserveOrdinals: [1, '4-5'] },
      { annotations: { 'delete-slots': '[0, 2]', [DELETED_ORDINALS_ANNOTATION]: '[3]' } },
    );
    expect([...skippedOrdinals('statefulsets.apps.kruise.io', set)].sort()).toEqual([1, 4, 5]);
    expect([...skippedOrdinals('statefulsets.apps.pingcap.com', set)].sort()).toEqual([0, 2]);
    expect([...skippedOrdinals('statefulsets', set)]).toEqual([]);
    expect([...skippedOrdinals('statefulsets', set, [1], true)].sort()).toEqual([1, 3]);
    expect([...skippedOrdinals('statefulsets.apps.pingcap.com', sts(1, {}, { annotations: { 'delete-slots': 'not json' } }))]).toEqual([]);
  });

  it('marks a pod only while both the pod and the set carry <set>=deleted', () => {
    const pods = [pod('db-0'), pod('db-1', { db: 'deleted' }), pod('db-2', { db: 'other' })];
    expect(markedOrdinals(sts(2), pods)).toEqual([]);
    expect(markedOrdinals(sts(2, {}, { labels: { db: 'deleted' } }), pods)).toEqual([1]);
    expect(markedOrdinals(sts(2, {}, { labels: { db: 'deleted' } }), [pod('db-0')])).toEqual([]);
  });
});
