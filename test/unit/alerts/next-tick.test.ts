import { describe, expect, it } from 'vitest';
import { nextTick } from '../../../alerts/pipeline/flush.ts';

describe('nextTick (group_interval cadence)', () => {
  it('keeps the cadence from when the flush was due, however late it ran within the interval', () => {
    expect(nextTick(10_000, 300, 10_000)).toBe(10_300);
    expect(nextTick(10_000, 300, 10_120)).toBe(10_300);
    expect(nextTick(10_000, 300, 10_299)).toBe(10_300);
  });

  it('skips ticks missed altogether instead of catching up', () => {
    expect(nextTick(10_000, 300, 10_300)).toBe(10_600);
    expect(nextTick(10_000, 300, 10_950)).toBe(11_200);
  });

  it('leaves a tick still ahead (a flush brought forward by an ack) where it is', () => {
    expect(nextTick(12_000, 300, 10_000)).toBe(12_000);
  });
});
