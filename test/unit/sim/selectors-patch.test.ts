import { describe, expect, it } from 'vitest';
import { applyPatch, mergePatch, strategicMergePatch } from '../../../sim/patch.ts';
import { matchSelector, parseFieldSelector, parseLabelSelector } from '../../../sim/selectors.ts';
import { StatusError } from '../../../sim/status.ts';
import type { KubeObject } from '../../../sim/types.ts';

const obj = (labels: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: 'x', namespace: 'ns', labels },
  ...extra,
});

describe('label selectors', () => {
  it('implements every operator', () => {
    const o = obj({ app: 'web', tier: 'front', 'example.com/team': 'a' });
    const m = (s: string) => parseLabelSelector(s)(o);
    expect(m('')).toBe(true);
    expect(m('app=web')).toBe(true);
    expect(m('app==web,tier=front')).toBe(true);
    expect(m('app!=web')).toBe(false);
    expect(m('missing!=x')).toBe(true);
    expect(m('tier in (front, back)')).toBe(true);
    expect(m('tier notin (front)')).toBe(false);
    expect(m('missing notin (front)')).toBe(true);
    expect(m('example.com/team')).toBe(true);
    expect(m('!example.com/team')).toBe(false);
    expect(m('!missing,app in (web)')).toBe(true);
  });

  it('rejects invalid keys with a 400 Status', () => {
    expect(() => parseLabelSelector('a b=c')).toThrow(StatusError);
    try {
      parseLabelSelector('-bad=1');
    } catch (err) {
      expect((err as StatusError).code).toBe(400);
    }
  });

  it('compiles workload selectors with matchExpressions', () => {
    const m = matchSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front'] },
        { key: 'gone', operator: 'DoesNotExist' },
      ],
    });
    expect(m(obj({ app: 'web', tier: 'front' }))).toBe(true);
    expect(m(obj({ app: 'web', tier: 'front', gone: '1' }))).toBe(false);
  });
});

describe('field selectors', () => {
  it('matches supported fields and treats absent fields as empty', () => {
    const pod = obj({}, { spec: { nodeName: 'n1' }, status: { phase: 'Running' } });
    const f = (s: string) => parseFieldSelector(s, ['spec.nodeName', 'status.phase', 'status.podIP'], 'Pod')(pod);
    expect(f('spec.nodeName=n1,status.phase!=Pending')).toBe(true);
    expect(f('status.podIP=')).toBe(true);
    expect(f('metadata.name==x,metadata.namespace=ns')).toBe(true);
    expect(() => f('spec.schedulerName=x')).toThrow(/not a known field selector/);
  });
});

describe('patches', () => {
  it('merge patch follows RFC 7386', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null, e: 4 }, l: [3] })).toEqual({
      a: 1,
      b: { d: 3, e: 4 },
      l: [3],
    });
  });

  it('strategic merge patch merges lists by key and honours directives', () => {
    const target = {
      spec: {
        containers: [
          { name: 'a', image: '1' },
          { name: 'b', image: '1' },
        ],
        taints: [{ key: 'k1', effect: 'NoSchedule' }],
      },
      metadata: { finalizers: ['x'] },
    };
    expect(
      strategicMergePatch(target, {
        spec: {
          containers: [
            { name: 'b', image: '2' },
            { name: 'c', image: '1' },
          ],
        },
      }),
    ).toMatchObject({
      spec: {
        containers: [
          { name: 'a', image: '1' },
          { name: 'b', image: '2' },
          { name: 'c', image: '1' },
        ],
      },
    });
    expect(strategicMergePatch(target, { spec: { taints: [{ key: 'k1', $patch: 'delete' }] } })).toMatchObject({ spec: { taints: [] } });
    expect(strategicMergePatch(target, { metadata: { finalizers: ['y'] } })).toMatchObject({ metadata: { finalizers: ['x', 'y'] } });
    expect(strategicMergePatch(target, { metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] } })).toMatchObject({
      metadata: { finalizers: [] },
    });
    expect(strategicMergePatch(target, { spec: { $patch: 'replace', containers: [{ name: 'z' }] } })).toEqual({
      spec: { containers: [{ name: 'z' }] },
      metadata: { finalizers: ['x'] },
    });
    expect(() => strategicMergePatch(target, { spec: { containers: [{ image: 'no-name' }] } })).toThrow(/merge key/);
  });

  it('applies JSON patch and reports bad operations as 422', () => {
    expect(applyPatch('application/json-patch+json', { a: { b: 1 } }, [{ op: 'add', path: '/a/c', value: 2 }])).toEqual({
      a: { b: 1, c: 2 },
    });
    expect(() => applyPatch('application/json-patch+json', { a: 1 }, [{ op: 'remove', path: '/nope' }])).toThrow(
      expect.objectContaining({ code: 422 }),
    );
    expect(() => applyPatch('text/plain', {}, {})).toThrow(expect.objectContaining({ code: 415 }));
  });
});
