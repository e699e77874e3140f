/**
 * Runs one reconciler level-based: cache changes become keys, keys go through a work queue, and
 * `reconcile(key)` reads the latest state from the cache. Failures are retried with per-key
 * backoff; a `TerminalError` is logged and dropped. A key is never reconciled twice at once.
 */
import { TerminalError } from '../core/errors.ts';
import type { CacheChange } from './cache.ts';
import type { KubeLogger, KubeMetrics } from './types.ts';
import { WorkQueue } from './workqueue.ts';
import type { WorkQueueOptions } from './workqueue.ts';

/** What a reconcile may ask for after success. */
export interface ReconcileResult {
  /** Reconcile this key again after this delay (time-based conditions). */
  requeueAfterMs?: number;
}

/** One reconciler. Implementations read the cache; they never trust the change that woke them. */
export interface Reconciler {
  name: string;
  /** Keys to reconcile for one cache change (may be none). */
  keysFor(change: CacheChange): string[];
  /** Every key worth a look after (re)gaining leadership or a full resync. */
  allKeys(): Iterable<string>;
  reconcile(key: string, ctl: ControllerHandle): Promise<ReconcileResult | void>;
}

/** What a reconcile can do to its own controller. */
export interface ControllerHandle {
  enqueue(key: string): void;
}

export interface ControllerOptions {
  reconciler: Reconciler;
  workers?: number;
  logger: KubeLogger;
  metrics?: KubeMetrics;
  queue?: WorkQueueOptions;
}

export class Controller implements ControllerHandle {
  readonly queue: WorkQueue;
  private running: Promise<void>[] = [];
  private processed = 0;

  constructor(private readonly opts: ControllerOptions) {
    const name = opts.reconciler.name;
    this.queue = new WorkQueue({
      ...opts.queue,
      ...(opts.metrics?.queueDepth ? { onDepth: (d: number) => opts.metrics?.queueDepth?.(name, d) } : {}),
    });
  }

  get name(): string {
    return this.opts.reconciler.name;
  }

  /** Reconciles done so far (successful or not). */
  get reconciled(): number {
    return this.processed;
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  /** Feeds one cache change in. */
  observe(change: CacheChange): void {
    for (const key of this.opts.reconciler.keysFor(change)) this.queue.add(key);
  }

  /** Queues every key the reconciler knows about. */
  resync(): void {
    for (const key of this.opts.reconciler.allKeys()) this.queue.add(key);
  }

  start(): void {
    const n = this.opts.workers ?? 4;
    for (let i = 0; i < n; i++) this.running.push(this.worker());
  }

  /** Stops taking keys; waits for in-flight ones (and queued ones with `drain`). */
  async stop(drain = false): Promise<void> {
    await this.queue.shutDown(drain);
    await Promise.all(this.running);
    this.running = [];
  }

  private async worker(): Promise<void> {
    const { reconciler, logger, metrics } = this.opts;
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const started = performance.now();
      let result: 'ok' | 'error' | 'terminal' = 'ok';
      try {
        const r = await reconciler.reconcile(key, this);
        this.queue.forget(key);
        if (r?.requeueAfterMs !== undefined) this.queue.addAfter(key, r.requeueAfterMs);
      } catch (err) {
        if (err instanceof TerminalError) {
          result = 'terminal';
          this.queue.forget(key);
          logger.error({ err, controller: reconciler.name, key }, 'reconcile failed permanently');
        } else {
          result = 'error';
          logger.warn({ err, controller: reconciler.name, key, retries: this.queue.numRequeues(key) }, 'reconcile failed; retrying');
          this.queue.addRateLimited(key);
        }
      } finally {
        this.processed++;
        this.queue.done(key);
        metrics?.reconcile?.(reconciler.name, result, (performance.now() - started) / 1000);
      }
    }
  }
}
