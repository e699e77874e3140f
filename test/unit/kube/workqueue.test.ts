import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkQueue } from '../../../kube/workqueue.ts';

/** Moves the fake clock on, running due timers and the promise callbacks they release. */
const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe('WorkQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('queues a waiting key once', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.len()).toBe(0);
  });

  it('never hands a key to two workers; a re-add while processing is queued after done', async () => {
    const q = new WorkQueue();
    q.add('a');
    const first = await q.get();
    expect(first).toBe('a');
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(0);
    let second: string | undefined;
    const waiting = q.get().then((k) => (second = k));
    await advance(60_000);
    expect(second).toBeUndefined();
    q.done('a');
    await waiting;
    expect(second).toBe('a');
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('a waiting worker gets a new key at once', async () => {
    const q = new WorkQueue();
    const got = q.get();
    q.add('x');
    expect(await got).toBe('x');
  });

  it('backs off per key exponentially and forget resets it', async () => {
    const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 40 });
    expect([0, 1, 2, 3, 4].map((n) => q.backoffFor(n))).toEqual([10, 20, 40, 40, 40]);
    q.addRateLimited('k');
    q.addRateLimited('k');
    expect(q.numRequeues('k')).toBe(2);
    expect(q.len()).toBe(0);
    let got: string | undefined;
    const getting = q.get().then((k) => (got = k));
    await advance(9);
    expect(got).toBeUndefined();
    await advance(1);
    await getting;
    expect(got).toBe('k');
    q.done('k');
    q.forget('k');
    expect(q.numRequeues('k')).toBe(0);
  });

  it('addAfter delays a key and the earliest pending delay wins', async () => {
    const q = new WorkQueue();
    q.addAfter('late', 200);
    q.addAfter('late', 20);
    q.addAfter('late', 500);
    let got: string | undefined;
    const getting = q.get().then((k) => (got = k));
    await advance(19);
    expect(got).toBeUndefined();
    await advance(1);
    await getting;
    expect(got).toBe('late');
    q.done('late');
    // The later delays of the same key were superseded: nothing more arrives.
    await advance(1000);
    expect(q.len()).toBe(0);
  });

  it('shutDown drains queued and in-flight keys, then returns undefined to workers', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    const a = await q.get();
    let drained = false;
    const done = q.shutDown().then(() => (drained = true));
    q.add('c');
    expect(await q.get()).toBe('b');
    await advance(60_000);
    expect(drained).toBe(false);
    q.done(a as string);
    q.done('b');
    await done;
    expect(drained).toBe(true);
    expect(await q.get()).toBeUndefined();
  });

  it('shutDown without drain drops queued keys but waits for in-flight ones', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    await q.get();
    const stopped = q.shutDown(false);
    expect(q.len()).toBe(0);
    q.done('a');
    await stopped;
    expect(await q.get()).toBeUndefined();
  });

  it('workers blocked in get are released by shutDown', async () => {
    const q = new WorkQueue();
    const blocked = q.get();
    await q.shutDown();
    expect(await blocked).toBeUndefined();
  });
});
