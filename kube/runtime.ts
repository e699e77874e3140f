/**
 * The Kubernetes core as one lifecycle: the cache (every replica, for queries), leader election,
 * and, on the leader only, the controllers running the reconcilers. `createKube` is what the
 * process wires into its dependencies.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Redis } from 'ioredis';
import type { AlertSink } from '../alerts/model.ts';
import { redisKeys } from '../core/redis-keys.ts';
import { countingSink } from './alerts.ts';
import { KubeCache } from './cache.ts';
import { Controller } from './controller.ts';
import type { BackoffOptions } from '../core/backoff.ts';
import { LeaderElector } from './leader.ts';
import { createPodHistory } from './pod-history.ts';
import type { Incarnation } from './pod-history.ts';
import { createEvictionsReconciler } from './reconcilers/evictions.ts';
import { createNodeHealthReconciler } from './reconcilers/node-health.ts';
import { createNodeProblemsReconciler } from './reconcilers/node-problems.ts';
import { createWorkloadProblemsReconciler } from './reconcilers/workload-problems.ts';
import { createOomKillReconciler } from './reconcilers/oom-kill.ts';
import { createPodMigrationReconciler, workloadKeyOf } from './reconcilers/pod-migration.ts';
import { defaultNoticeOptions } from './reconcilers/deps.ts';
import type { ReconcilerDeps } from './reconcilers/deps.ts';
import { createReportLog } from './report-log.ts';
import { createStormLedger } from './storm-ledger.ts';
import { createStormView, defaultStormOptions } from './storm.ts';
import type { StormOptions, StormState } from './storm.ts';
import type { KubeLogger, KubeMetrics } from './types.ts';

/** Tunables of the Kubernetes core; every field has a production default. */
export interface KubeRuntimeOptions {
  /** Value of the `cluster` label on every alert (default `default`). */
  cluster?: string;
  /** Redis key prefix (default `firstmate:kube:`; use a hash tag like `{firstmate}:kube:` on Redis Cluster). */
  redisPrefix?: string;
  /** How long "already reported" markers live (default 7 days). */
  reportTtlSeconds?: number;
  /** Leader election; `enabled: false` makes this replica run the reconcilers unconditionally. */
  leaderElection?: {
    enabled?: boolean;
    namespace?: string;
    leaseName?: string;
    identity?: string;
    leaseDurationMs?: number;
    renewDeadlineMs?: number;
    retryPeriodMs?: number;
  };
  storm?: Partial<StormOptions>;
  /** Notices about workloads, pods and nodes (`kube.notices`). */
  notices?: {
    eventTtlSeconds?: number;
    ignoreNamespaces?: string[];
    probeFailureThreshold?: number;
    rolloutStuckMs?: number;
    logTailLines?: number;
  };
  /** Workers per reconciler (default 4). */
  workers?: number;
  /** Informer restart backoff (default 500 ms → 30 s). */
  informerBackoff?: BackoffOptions;
  /** Per-key retry backoff of the work queues (default 50 ms → 5 min). */
  retryBackoff?: { baseMs: number; maxMs: number };
  /** Items per list page (default 500). */
  pageSize?: number;
  /** A node OOM event no container kill explains is reported after this grace (default 5 s). */
  nodeOomGraceMs?: number;
  /** Re-check every key this often on the leader (default 10 min; 0 disables). */
  resyncIntervalMs?: number;
}

export interface CreateKubeDeps {
  kubeConfig: KubeConfig;
  redis: Redis;
  sink: AlertSink;
  logger: KubeLogger;
  metrics?: KubeMetrics;
  options?: KubeRuntimeOptions;
}

/** What the rest of firstmate uses: queries read `cache` and `history`, readiness reads `synced`. */
export interface KubeRuntime {
  readonly cache: KubeCache;
  readonly cluster: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Every informer has completed its first full list. */
  synced(): boolean;
  waitForSync(): Promise<void>;
  /** This replica runs the reconcilers right now. */
  isLeader(): boolean;
  /** IP and node history of a pod (its predecessors first, itself last); [] when unknown. */
  history(namespace: string, name: string): Promise<Incarnation[]>;
  /** Current NotReady-storm state. */
  storm(): StormState;
  /** The tail of a container's log, read through `pods/log` (capped at `limitBytes`). */
  podLog(
    namespace: string,
    pod: string,
    opts: { container?: string; previous?: boolean; tailLines: number; limitBytes: number },
  ): Promise<string>;
  /** The pods that had this IP, newest first, with their workload's history (from Redis). */
  historyByIp(ip: string): Promise<Array<{ workload: string; chain: Incarnation[] }>>;
  /** Reconciles done per controller (leader only; for benchmarks and diagnostics). */
  reconciled(): Record<string, number>;
  /** Informer restarts after errors, per resource. */
  informerRestarts(): Record<string, number>;
}

export function createKube(deps: CreateKubeDeps): KubeRuntime {
  const opts = deps.options ?? {};
  const { logger, metrics } = deps;
  const prefix = opts.redisPrefix ?? redisKeys('firstmate').kubePrefix;
  const cluster = opts.cluster ?? 'default';
  const cache = new KubeCache({
    kubeConfig: deps.kubeConfig,
    logger,
    ...(metrics ? { metrics } : {}),
    ...(opts.informerBackoff ? { backoff: opts.informerBackoff } : {}),
    ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
  });
  const history = createPodHistory({ redis: deps.redis, prefix });
  const stormOptions = { ...defaultStormOptions, ...opts.storm };
  const storm = createStormView(cache, stormOptions);
  const core = deps.kubeConfig.makeApiClient(CoreV1Api);
  const podLog: KubeRuntime['podLog'] = async (namespace, name, o) =>
    core.readNamespacedPodLog({
      namespace,
      name,
      ...(o.container ? { container: o.container } : {}),
      previous: o.previous ?? false,
      tailLines: o.tailLines,
      limitBytes: o.limitBytes,
    });
  const n = opts.notices ?? {};
  const notices = {
    eventTtlMs: (n.eventTtlSeconds ?? defaultNoticeOptions.eventTtlMs / 1000) * 1000,
    ignoreNamespaces: new Set(n.ignoreNamespaces ?? []),
    probeFailureThreshold: n.probeFailureThreshold ?? defaultNoticeOptions.probeFailureThreshold,
    rolloutStuckMs: n.rolloutStuckMs ?? defaultNoticeOptions.rolloutStuckMs,
    logTailLines: n.logTailLines ?? defaultNoticeOptions.logTailLines,
  };
  const rdeps: ReconcilerDeps = {
    cache,
    history,
    storm,
    stormOptions,
    ledger: createStormLedger({ redis: deps.redis, prefix }),
    notices,
    podLog: async (ns, pod, container, o) => {
      try {
        return await podLog(ns, pod, { container, previous: o.previous, tailLines: o.tailLines, limitBytes: 4096 });
      } catch (err) {
        logger.debug({ err, pod: `${ns}/${pod}` }, 'cannot read the pod log');
        return '';
      }
    },
    cluster,
    logger,
    sink: countingSink(deps.sink, metrics),
    reports: createReportLog({ redis: deps.redis, prefix, ttlSeconds: opts.reportTtlSeconds ?? 7 * 86400 }),
  };
  const reconcilers = [
    createPodMigrationReconciler(rdeps),
    createOomKillReconciler(rdeps, { ...(opts.nodeOomGraceMs !== undefined ? { nodeEventGraceMs: opts.nodeOomGraceMs } : {}) }),
    createEvictionsReconciler(rdeps),
    createNodeHealthReconciler(rdeps),
    createWorkloadProblemsReconciler(rdeps),
    createNodeProblemsReconciler(rdeps),
  ];
  const counts: Record<string, number> = {};
  let controllers: Controller[] = [];
  let unsubscribe: (() => void) | undefined;
  let resyncTimer: NodeJS.Timeout | undefined;
  let generation = 0;
  let leading = false;

  const startControllers = async () => {
    const gen = ++generation;
    await cache.waitForSync();
    if (gen !== generation) return;
    const retry = opts.retryBackoff ?? { baseMs: 50, maxMs: 300_000 };
    controllers = reconcilers.map(
      (reconciler) =>
        new Controller({
          reconciler,
          logger,
          workers: opts.workers ?? 4,
          ...(metrics ? { metrics } : {}),
          queue: { baseDelayMs: retry.baseMs, maxDelayMs: retry.maxMs },
        }),
    );
    unsubscribe = cache.onChange((c) => {
      for (const ctl of controllers) ctl.observe(c);
    });
    for (const ctl of controllers) {
      ctl.start();
      ctl.resync();
    }
    const every = opts.resyncIntervalMs ?? 600_000;
    if (every > 0) {
      resyncTimer = setInterval(() => controllers.forEach((c) => c.resync()), every);
      resyncTimer.unref();
    }
    logger.info({ controllers: controllers.map((c) => c.name) }, 'reconcilers running');
  };

  const stopControllers = async () => {
    generation++;
    unsubscribe?.();
    unsubscribe = undefined;
    if (resyncTimer) clearInterval(resyncTimer);
    resyncTimer = undefined;
    const stopping = controllers;
    controllers = [];
    for (const c of stopping) counts[c.name] = (counts[c.name] ?? 0) + c.reconciled;
    await Promise.all(stopping.map((c) => c.stop(false)));
  };

  const le = opts.leaderElection ?? {};
  const elector =
    le.enabled === false
      ? undefined
      : new LeaderElector({
          kubeConfig: deps.kubeConfig,
          logger,
          ...(metrics ? { metrics } : {}),
          namespace: le.namespace ?? 'default',
          name: le.leaseName ?? 'firstmate-leader',
          identity: le.identity ?? `firstmate-${Math.random().toString(36).slice(2, 10)}`,
          ...(le.leaseDurationMs ? { leaseDurationMs: le.leaseDurationMs } : {}),
          ...(le.renewDeadlineMs ? { renewDeadlineMs: le.renewDeadlineMs } : {}),
          ...(le.retryPeriodMs ? { retryPeriodMs: le.retryPeriodMs } : {}),
          onStartedLeading: () => {
            leading = true;
            startControllers().catch((err: unknown) => logger.error({ err }, 'cannot start the reconcilers'));
          },
          onStoppedLeading: async () => {
            leading = false;
            await stopControllers();
          },
        });

  return {
    cache,
    cluster,
    async start() {
      cache.start();
      if (elector) elector.start();
      else {
        leading = true;
        void startControllers().catch((err: unknown) => logger.error({ err }, 'cannot start the reconcilers'));
      }
    },
    async stop() {
      if (elector) await elector.stop();
      else {
        leading = false;
        await stopControllers();
      }
      await cache.stop();
    },
    synced: () => cache.synced(),
    waitForSync: () => cache.waitForSync(),
    isLeader: () => leading,
    async history(namespace, name) {
      const pod = cache.pod(namespace, name);
      if (!pod) return [];
      const key = workloadKeyOf(rdeps, pod);
      return key ? history.chain(key, pod.metadata.uid) : [];
    },
    storm,
    podLog,
    async historyByIp(ip) {
      const out: Array<{ workload: string; chain: Incarnation[] }> = [];
      for (const { workload, uid } of await history.byIp(ip)) {
        const chain = await history.lineage(workload, uid);
        if (chain.length) out.push({ workload, chain });
      }
      return out;
    },
    reconciled() {
      const out = { ...counts };
      for (const c of controllers) out[c.name] = (out[c.name] ?? 0) + c.reconciled;
      return out;
    },
    informerRestarts: () => cache.restarts(),
  };
}
