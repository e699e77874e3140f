import { describe, expect, it } from 'vitest';
import { memoize } from '../../../core/memo.ts';

describe('memoize', () => {
  it('computes each argument once, undefined results included, and starts over when full', () => {
    const calls: string[] = [];
    const f = memoize((s: string) => {
      calls.push(s);
      return s === 'none' ? undefined : s.length;
    }, 2);
    expect([f('a'), f('a'), f('none'), f('none')]).toEqual([1, 1, undefined, undefined]);
    expect(calls).toEqual(['a', 'none']);
    expect(f('bb')).toBe(2);
    expect(f('a')).toBe(1);
    expect(calls).toEqual(['a', 'none', 'bb', 'a']);
  });
});
