import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../core/backoff.ts';

describe('backoff', () => {
  it('doubles from the base up to the cap, without jitter when asked', () => {
    const b = { baseMs: 50, maxMs: 1000, jitter: [1, 1] } as const;
    expect([0, 1, 2, 3, 4, 5, 100].map((n) => backoffDelay(n, b))).toEqual([50, 100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(-3, b)).toBe(50);
  });

  it('jitters within [low, high] of the capped delay', () => {
    const b = { baseMs: 1000, maxMs: 10_000, jitter: [0.8, 1.2] } as const;
    expect(backoffDelay(0, b, () => 0)).toBe(800);
    expect(backoffDelay(0, b, () => 1)).toBe(1200);
    expect(backoffDelay(9, b, () => 1)).toBe(12_000);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(2, { baseMs: 100, maxMs: 1000 });
      expect(d).toBeGreaterThanOrEqual(200);
      expect(d).toBeLessThanOrEqual(400);
    }
  });
});
