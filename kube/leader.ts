/**
 * Leader election on a `coordination.k8s.io/v1` Lease, as client-go does it: acquire when the
 * lease is free or its holder has not renewed for a full lease duration (measured on our own
 * clock from when we last saw the record change, so clock skew between replicas does not
 * matter), renew every retry period, give up leadership when renewals keep failing past the
 * renew deadline, and release on shutdown by clearing the holder. Every write is a replace with
 * the resourceVersion that was read, so two candidates can never both win.
 */
import { ApiException, CoordinationV1Api, V1MicroTime } from '@kubernetes/client-node';
import type { KubeConfig, V1Lease } from '@kubernetes/client-node';
import type { KubeLogger, KubeMetrics } from './types.ts';

export interface LeaderElectorOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** Lease name (default `firstmate-leader`). */
  name?: string;
  /** This replica's identity (pod name + random suffix). */
  identity: string;
  /** How long a lease stays valid without renewal (default 15 s; whole seconds on the wire). */
  leaseDurationMs?: number;
  /** A leader that could not renew for this long steps down (default 10 s). */
  renewDeadlineMs?: number;
  /** Interval between acquire/renew attempts (default 2 s). */
  retryPeriodMs?: number;
  logger: KubeLogger;
  metrics?: KubeMetrics;
  onStartedLeading(): void | Promise<void>;
  onStoppedLeading(): void | Promise<void>;
}

const codeOf = (err: unknown): number | undefined =>
  err instanceof ApiException ? err.code : (err as { code?: number; statusCode?: number })?.statusCode;

export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly name: string;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private leading = false;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private lastRenew = 0;
  private observed = '';
  private observedAt = 0;
  private heldByOther = false;

  constructor(private readonly opts: LeaderElectorOptions) {
    this.api = opts.kubeConfig.makeApiClient(CoordinationV1Api);
    this.name = opts.name ?? 'firstmate-leader';
    this.leaseMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryMs = opts.retryPeriodMs ?? 2_000;
  }

  isLeader(): boolean {
    return this.leading;
  }

  get identity(): string {
    return this.opts.identity;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Stops campaigning; a leader steps down and releases the lease so another replica takes over at once. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
    if (this.leading) {
      await this.setLeading(false);
      await this.release();
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let ok = false;
      try {
        ok = await this.tryAcquireOrRenew();
      } catch (err) {
        this.opts.logger.warn({ err, lease: this.name }, 'leader election attempt failed');
      }
      if (this.stopped) return;
      if (ok) {
        this.lastRenew = Date.now();
        if (!this.leading) await this.setLeading(true);
      } else if (this.leading && (this.heldByOther || Date.now() - this.lastRenew > this.renewDeadlineMs)) {
        this.opts.logger.warn({ lease: this.name }, 'lost the lease; stepping down');
        await this.setLeading(false);
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, this.retryMs);
      });
    }
  }

  private async setLeading(v: boolean): Promise<void> {
    this.leading = v;
    this.opts.metrics?.leader?.(v);
    this.opts.logger.info({ lease: this.name, identity: this.opts.identity }, v ? 'started leading' : 'stopped leading');
    try {
      await (v ? this.opts.onStartedLeading() : this.opts.onStoppedLeading());
    } catch (err) {
      this.opts.logger.error({ err }, 'leadership callback failed');
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, identity } = this.opts;
    const now = new V1MicroTime(Date.now());
    const leaseSeconds = Math.max(1, Math.ceil(this.leaseMs / 1000));
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name: this.name, namespace });
    } catch (err) {
      if (codeOf(err) !== 404) throw err;
      try {
        await this.api.createNamespacedLease({
          namespace,
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: this.name, namespace },
            spec: { holderIdentity: identity, leaseDurationSeconds: leaseSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
          },
        });
        return true;
      } catch (e) {
        if (codeOf(e) === 409) return false;
        throw e;
      }
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const record = `${holder}|${String(spec.renewTime?.valueOf() ?? '')}|${spec.leaseTransitions ?? 0}`;
    if (record !== this.observed) {
      this.observed = record;
      this.observedAt = Date.now();
    }
    const duration = (spec.leaseDurationSeconds ?? leaseSeconds) * 1000;
    this.heldByOther = !!holder && holder !== identity;
    if (holder && holder !== identity && this.observedAt + duration > Date.now()) return false;
    const body: V1Lease = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: leaseSeconds,
        renewTime: now,
        acquireTime: holder === identity && spec.acquireTime ? spec.acquireTime : now,
        leaseTransitions: holder === identity ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
      },
    };
    try {
      await this.api.replaceNamespacedLease({ name: this.name, namespace, body });
      return true;
    } catch (err) {
      if (codeOf(err) === 409) return false;
      throw err;
    }
  }

  private async release(): Promise<void> {
    try {
      const lease = await this.api.readNamespacedLease({ name: this.name, namespace: this.opts.namespace });
      if (lease.spec?.holderIdentity !== this.opts.identity) return;
      await this.api.replaceNamespacedLease({
        name: this.name,
        namespace: this.opts.namespace,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: new V1MicroTime(Date.now()) } },
      });
    } catch (err) {
      this.opts.logger.warn({ err, lease: this.name }, 'could not release the lease');
    }
  }
}
