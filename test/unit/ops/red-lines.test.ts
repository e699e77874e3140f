import { describe, expect, it } from 'vitest';
import { inFreeze, selects } from '../../../ops/red-lines.ts';
import { describeStep } from '../../../ops/describe.ts';
import { ordinalOf } from '../../../ops/strategies.ts';

describe('selects (PodDisruptionBudget selectors)', () => {
  const labels = { app: 'db', tier: 'data' };
  it('matches labels and expressions like the API server', () => {
    expect(selects({ matchLabels: { app: 'db' } }, labels)).toBe(true);
    expect(selects({ matchLabels: { app: 'web' } }, labels)).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['data', 'cache'] }] }, labels)).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['data'] }] }, labels)).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, labels)).toBe(false);
  });
  it('an empty or missing selector covers nothing', () => {
    expect(selects(undefined, labels)).toBe(false);
    expect(selects({}, labels)).toBe(false);
  });
});

describe('inFreeze', () => {
  const friday = [{ name: 'release', cron: '0 18 * * 5', minutes: 120, timezone: 'UTC' }];
  it('is in the window from each firing for its length, and not before or after', () => {
    expect(inFreeze(friday, Date.parse('2026-11-27T18:00:00Z'))).toContain('release');
    expect(inFreeze(friday, Date.parse('2026-11-27T19:59:00Z'))).toContain('release');
    expect(inFreeze(friday, Date.parse('2026-11-27T20:00:00Z'))).toBeUndefined();
    expect(inFreeze(friday, Date.parse('2026-11-27T17:59:00Z'))).toBeUndefined();
  });
  it('reads the expression in its time zone', () => {
    const shanghai = [{ name: 'night', cron: '0 2 * * *', minutes: 60, timezone: 'Asia/Shanghai' }];
    expect(inFreeze(shanghai, Date.parse('2026-11-27T18:30:00Z'))).toContain('night');
    expect(inFreeze(shanghai, Date.parse('2026-11-27T02:30:00Z'))).toBeUndefined();
  });
});

describe('plans', () => {
  it('reads ordinals and describes a Kruise scale-in as one write', () => {
    expect(ordinalOf('kafka-12')).toBe(12);
    expect(ordinalOf('kafka')).toBeUndefined();
    const workload = {
      apiVersion: 'apps.kruise.io/v1beta1',
      kind: 'StatefulSet',
      plural: 'statefulsets',
      namespace: 'data',
      name: 'kafka',
      uid: 'u',
    };
    expect(describeStep({ type: 'scale', workload, from: 3, to: 2, reserveOrdinal: 1 })).toBe(
      'PATCH statefulset data/kafka (apps.kruise.io/v1beta1, resourceVersion precondition): spec.replicas 3 → 2, spec.reserveOrdinals += 1',
    );
  });
});
