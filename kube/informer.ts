/**
 * A list+watch informer that survives its own failures. The client's `ListWatch` relists on 410
 * and reconnects closed watches, but stops for good on any other error (a 5xx, a refused
 * connection, a failed list) and only emits `error`; here every stop is followed by a restart
 * after a capped exponential backoff with jitter. Objects are compacted before the ListWatch
 * stores them, so the full API objects are never retained. Lists are paginated (`limit` +
 * `continue`) so a 150,000-pod cluster never arrives as one huge response.
 */
import { ListWatch, Watch } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { KubeLogger, KubeMetrics } from './types.ts';
import { backoffDelay, type BackoffOptions } from '../core/backoff.ts';

/** One page of a list call, as the source returns it. */
export interface ListPage {
  items: unknown[];
  resourceVersion: string;
  continueToken?: string;
}

/** What to watch and how to compact it. */
export interface InformerSource<R extends KubernetesObject> {
  /** Resource name for logs and metrics (`pods`, `nodes`, …). */
  name: string;
  /** Watch path, e.g. `/api/v1/pods`. */
  path: string;
  list(page: { limit: number; continueToken?: string }): Promise<ListPage>;
  compact(raw: unknown): R;
  /**
   * A resource the cluster may not serve (a CRD such as OpenKruise's StatefulSet) or the service
   * account may not read: a 404 or 403 on the list counts as synced with nothing in it, and the informer keeps retrying slowly in case
   * the resource is installed later.
   */
  optional?: boolean;
}

export interface InformerOptions<R extends KubernetesObject> {
  kubeConfig: KubeConfig;
  source: InformerSource<R>;
  backoff: BackoffOptions;
  pageSize: number;
  logger: KubeLogger;
  metrics?: KubeMetrics;
}

type Listener<R> = (obj: R) => void;

class CompactingWatch<R extends KubernetesObject> extends Watch {
  constructor(
    kc: KubeConfig,
    private readonly compact: (raw: unknown) => R,
  ) {
    super(kc);
  }

  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    return super.watch(
      path,
      queryParams,
      (phase, obj) => {
        if (phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED') callback(phase, this.compact(obj));
        else callback(phase, obj);
      },
      done,
    );
  }
}

export class ResilientInformer<R extends KubernetesObject> {
  private readonly lw: ListWatch<R>;
  private readonly listeners = { add: [] as Listener<R>[], update: [] as Listener<R>[], delete: [] as Listener<R>[] };
  private stopped = true;
  private hasSynced = false;
  private failures = 0;
  private restartCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private starting = false;
  private failedDuringStart = false;
  private readonly syncWaiters: Array<() => void> = [];

  constructor(private readonly opts: InformerOptions<R>) {
    const { source, pageSize } = opts;
    const listFn = async (): Promise<KubernetesListObject<R>> => {
      const items: R[] = [];
      let continueToken: string | undefined;
      let resourceVersion = '';
      do {
        const page = await source.list({ limit: pageSize, ...(continueToken ? { continueToken } : {}) });
        for (const raw of page.items) items.push(source.compact(raw));
        resourceVersion = page.resourceVersion;
        continueToken = page.continueToken || undefined;
      } while (continueToken);
      return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion }, items };
    };
    const delayFn = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, opts.backoff.maxMs)).unref());
    this.lw = new ListWatch<R>(source.path, new CompactingWatch(opts.kubeConfig, source.compact), listFn, false, undefined, undefined, {
      delayFn,
    });
    this.lw.on('add', (o) => this.fire('add', o));
    this.lw.on('update', (o) => this.fire('update', o));
    this.lw.on('delete', (o) => this.fire('delete', o));
    this.lw.on('error', (err) => this.onError(err));
  }

  get name(): string {
    return this.opts.source.name;
  }

  on(verb: 'add' | 'update' | 'delete', cb: Listener<R>): void {
    this.listeners[verb].push(cb);
  }

  /** Starts listing and watching; returns at once. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.lw.stop();
  }

  /** True once the first full list has been applied and the watch is open. */
  synced(): boolean {
    return this.hasSynced;
  }

  /** Times the informer was restarted after it stopped on an error. */
  restarts(): number {
    return this.restartCount;
  }

  waitForSync(): Promise<void> {
    if (this.hasSynced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  private fire(verb: 'add' | 'update' | 'delete', obj: R): void {
    for (const cb of this.listeners[verb]) {
      try {
        cb(obj);
      } catch (err) {
        this.opts.logger.error({ err, informer: this.name }, 'informer listener failed');
      }
    }
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    this.starting = true;
    this.failedDuringStart = false;
    try {
      await this.lw.start();
    } catch (err) {
      this.failedDuringStart = true;
      const code = (err as { statusCode?: number }).statusCode;
      if (this.opts.source.optional && (code === 404 || code === 403)) {
        this.markSynced();
        this.failures = Math.max(this.failures, 30);
      }
      this.scheduleRestart(err);
    } finally {
      this.starting = false;
    }
    if (this.stopped || this.failedDuringStart) return;
    this.failures = 0;
    this.markSynced();
  }

  private markSynced(): void {
    if (this.hasSynced) return;
    this.hasSynced = true;
    this.opts.logger.info({ informer: this.name }, 'informer synced');
    for (const w of this.syncWaiters.splice(0)) w();
  }

  private onError(err: unknown): void {
    if (this.starting) this.failedDuringStart = true;
    this.scheduleRestart(err);
  }

  private scheduleRestart(err: unknown): void {
    if (this.stopped || this.timer) return;
    const delay = backoffDelay(this.failures++, this.opts.backoff);
    this.opts.logger.warn({ err, informer: this.name, delayMs: delay }, 'informer stopped; restarting');
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.restartCount++;
      this.opts.metrics?.informerRestart?.(this.name);
      void this.attempt();
    }, delay);
    this.timer.unref();
  }
}
