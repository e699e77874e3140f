/**
 * A controller-runtime style work queue of keys:
 * - a key waiting in the queue is queued once (adds while it waits are merged);
 * - a key is never handed to two workers at once: re-added while processing, it is queued again
 *   when the worker calls `done`;
 * - per-key exponential backoff (`addRateLimited`, reset by `forget`) and delayed adds (`addAfter`);
 * - `shutDown` stops accepting keys and resolves once the queued and in-flight keys are drained.
 */
import { backoffDelay } from '../core/backoff.ts';

export interface WorkQueueOptions {
  /** First retry delay of `addRateLimited` (default 5 ms). */
  baseDelayMs?: number;
  /** Cap of the retry delay (default 60 s). */
  maxDelayMs?: number;
  /** Called with the depth whenever it changes. */
  onDepth?: (depth: number) => void;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private head = 0;
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private readonly drainWaiters: Array<() => void> = [];
  private shuttingDown = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly opts: WorkQueueOptions = {}) {
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 60_000;
  }

  /** Queues a key unless it is already waiting. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
      return;
    }
    this.queue.push(key);
    this.opts.onDepth?.(this.len());
  }

  /** Queues a key after `ms`; an earlier pending delay for the same key wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const cur = this.delayed.get(key);
    if (cur && cur.at <= at) return;
    if (cur) clearTimeout(cur.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  /** Queues a key after its per-key exponential backoff. */
  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.addAfter(key, this.backoffFor(n));
  }

  /** The delay the next `addRateLimited` of this key would use. */
  backoffFor(failuresSoFar: number): number {
    return backoffDelay(failuresSoFar, { baseMs: this.baseDelayMs, maxMs: this.maxDelayMs, jitter: [1, 1] });
  }

  /** Clears the key's failure count. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Waits for the next key; `undefined` once shut down and empty. Call `done(key)` after. */
  get(): Promise<string | undefined> {
    const key = this.take();
    if (key !== undefined) return Promise.resolve(key);
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks a key finished; queues it again if it was added while being processed. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
    this.checkDrained();
  }

  /** Keys waiting (not counting in-flight or delayed ones). */
  len(): number {
    return this.queue.length - this.head;
  }

  isProcessing(key: string): boolean {
    return this.processing.has(key);
  }

  /**
   * Stops accepting keys and drops delayed ones; resolves when every in-flight key is done and,
   * with `drain` (the default), every queued key too. Without it queued keys are dropped.
   */
  shutDown(drain = true): Promise<void> {
    this.shuttingDown = true;
    if (!drain) {
      for (let i = this.head; i < this.queue.length; i++) this.dirty.delete(this.queue[i] as string);
      this.queue.length = 0;
      this.head = 0;
    }
    for (const d of this.delayed.values()) clearTimeout(d.timer);
    this.delayed.clear();
    if (this.len() === 0) for (const w of this.waiters.splice(0)) w(undefined);
    return new Promise((resolve) => {
      this.drainWaiters.push(resolve);
      this.checkDrained();
    });
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  private take(): string | undefined {
    if (this.head >= this.queue.length) return undefined;
    const key = this.queue[this.head++] as string;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.dirty.delete(key);
    this.processing.add(key);
    this.opts.onDepth?.(this.len());
    return key;
  }

  private checkDrained(): void {
    if (!this.shuttingDown || this.len() > 0 || this.processing.size > 0) return;
    for (const w of this.waiters.splice(0)) w(undefined);
    for (const d of this.drainWaiters.splice(0)) d();
  }
}
