import { describe, expect, it } from 'vitest';
import { createStore } from '../../../sim/store.ts';
import type { KubeObject } from '../../../sim/types.ts';

const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const cm = (name: string): KubeObject => ({ metadata: { name, namespace: 'a' }, spec: { containers: [{ name: 'c' }] } });

describe('store', () => {
  it('keeps a bounded watch history and answers 410 for older versions', () => {
    const store = createStore({ seed: 1, historySize: 3 });
    store.load([ns('a')]);
    const start = store.resourceVersion();
    for (let i = 0; i < 5; i++) store.create('pods', cm(`p${i}`));
    expect(() => store.watch('pods', { resourceVersion: String(start) }, () => undefined)).toThrow(expect.objectContaining({ code: 410 }));
    const seen: string[] = [];
    const stop = store.watch('pods', { resourceVersion: String(store.resourceVersion() - 2) }, (t, o) =>
      seen.push(`${t} ${o.metadata.name}`),
    );
    expect(seen).toEqual(['ADDED p3', 'ADDED p4']);
    store.delete('pods', 'a', 'p3');
    expect(seen.at(-1)).toBe('DELETED p3');
    stop();
  });

  it('does not bump resourceVersion for a no-op update and bumps generation on spec changes', () => {
    const store = createStore({ seed: 1 });
    store.load([ns('a')]);
    const created = store.create('pods', cm('p'));
    const same = store.update('pods', created);
    expect(same.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    const changed = store.mutate('pods', 'a', 'p', (o) => {
      (o.spec as { containers: { name: string; image?: string }[] }).containers[0]!.image = 'v2';
    });
    expect(changed.metadata.generation).toBe(2);
    expect(Number(changed.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
  });

  it('generates the same uids and names for the same seed', () => {
    const run = () => {
      const store = createStore({ seed: 42 });
      store.load([ns('a')]);
      const p = store.create('pods', { metadata: { generateName: 'w-', namespace: 'a' }, spec: { containers: [{ name: 'c' }] } });
      return `${p.metadata.name} ${p.metadata.uid}`;
    };
    expect(run()).toBe(run());
  });

  it('cascades namespace deletion', () => {
    const store = createStore({ seed: 1 });
    store.load([ns('a')]);
    store.create('pods', cm('p'));
    store.delete('namespaces', undefined, 'a');
    expect(store.get('pods', 'a', 'p')).toBeUndefined();
  });
});
