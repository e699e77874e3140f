import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TerminalError } from '../../../core/errors.ts';
import { Controller } from '../../../kube/controller.ts';
import type { Reconciler } from '../../../kube/controller.ts';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Moves the fake clock on, running due timers and the promise callbacks they release. */
const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

function recorder(behaviour: (key: string, attempt: number) => Promise<void | { requeueAfterMs?: number }>) {
  const calls: string[] = [];
  const attempts = new Map<string, number>();
  let running = 0;
  let maxRunning = 0;
  const reconciler: Reconciler = {
    name: 'test',
    keysFor: (c) => [c.obj.metadata.name],
    allKeys: () => ['a', 'b'],
    async reconcile(key) {
      running++;
      maxRunning = Math.max(maxRunning, running);
      calls.push(key);
      const n = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, n);
      try {
        return await behaviour(key, n);
      } finally {
        running--;
      }
    },
  };
  return { reconciler, calls, maxRunning: () => maxRunning };
}

describe('Controller', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries failures with backoff until they succeed, and drops terminal errors', async () => {
    const r = recorder(async (key, n) => {
      if (key === 'flaky' && n < 3) throw new Error('try again');
      if (key === 'bad') throw new TerminalError('never works');
    });
    const results: string[] = [];
    const ctl = new Controller({
      reconciler: r.reconciler,
      logger: silent,
      workers: 2,
      queue: { baseDelayMs: 5, maxDelayMs: 50 },
      metrics: { reconcile: (_c, result) => void results.push(result) },
    });
    ctl.start();
    ctl.enqueue('flaky');
    ctl.enqueue('bad');
    await advance(150);
    expect(r.calls.filter((k) => k === 'flaky')).toHaveLength(3);
    expect(r.calls.filter((k) => k === 'bad')).toHaveLength(1);
    expect(results.sort()).toEqual(['error', 'error', 'ok', 'terminal']);
    await ctl.stop();
  });

  it('never reconciles one key twice at once, and coalesces changes that arrive meanwhile', async () => {
    const r = recorder(async () => sleep(150));
    const ctl = new Controller({ reconciler: r.reconciler, logger: silent, workers: 4 });
    ctl.start();
    for (let i = 0; i < 10; i++) {
      ctl.enqueue('same');
      await advance(2);
    }
    await advance(400);
    expect(r.maxRunning()).toBe(1);
    expect(r.calls.length).toBe(2);
    await ctl.stop();
  });

  it('honours requeueAfter and resync queues every known key', async () => {
    const r = recorder(async (key, n) => (key === 'a' && n === 1 ? { requeueAfterMs: 20 } : undefined));
    const ctl = new Controller({ reconciler: r.reconciler, logger: silent });
    ctl.start();
    ctl.resync();
    await advance(80);
    expect(r.calls.sort()).toEqual(['a', 'a', 'b']);
    expect(ctl.reconciled).toBe(3);
    await ctl.stop();
  });
});
