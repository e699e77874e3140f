import { once } from 'node:events';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import type { Component } from '../../core/lifecycle.ts';
import type { Logger } from '../../core/logger.ts';
import type { Metrics } from '../../core/metrics.ts';
import type { AlertsConfig } from '../config-schema.ts';
import { compileInhibitRules } from '../inhibit.ts';
import { createRunbookLinks, type KnowledgeLinks } from '../knowledge.ts';
import type { Alert, AlertSink } from '../model.ts';
import type { NotifierRegistry } from '../notifiers/registry.ts';
import { createRouting } from '../routing.ts';
import { createSilences } from '../silences.ts';
import { createFlushProcessor } from './flush.ts';
import { createFlushScheduler } from './flush-scheduler.ts';
import { createIncidents } from './incidents.ts';
import { createIngestProcessor } from './ingest.ts';
import { createIngestPacker } from './ingest-pack.ts';
import { pipelineKeys } from './keys.ts';
import { createDirectDelivery } from './direct-delivery.ts';
import { createNotifyDelivery, createNotifyProcessor, notifyBackoff } from './notify.ts';
import { defineScripts, type PipelineScripts } from './scripts.ts';
import type { DecisionEvent, IngestDelivery, IngestJob, NotifyJob } from './types.ts';

/**
 * Options of connections that must fail fast while Redis is down (BullMQ's advice for producers):
 * no offline queue and no resending after a reconnect, so a write answered with an error is
 * never carried out later behind the caller's back.
 */
export const failFastRedisOptions: RedisOptions = {
  enableOfflineQueue: false,
  autoResendUnfulfilledCommands: false,
  maxRetriesPerRequest: 0,
};

/** Jobs due and not yet taken, per queue: what intake limits (`alerts.limits`). */
export interface PipelineBacklogs {
  ingest: number;
  flush: number;
  notify: number;
}

export interface AlertPipelineOptions {
  config: AlertsConfig;
  /** Key and queue prefix (`deps.config.redis.prefix`). */
  prefix: string;
  /** Shared command connection. */
  redis: Redis;
  /** A new connection per worker (and the fail-fast producer connection). */
  newRedis(options?: RedisOptions): Redis;
  logger: Logger;
  metrics: Metrics;
  notifiers: NotifierRegistry;
  knowledge?: KnowledgeLinks;
  /** Which workers this process runs (all by default; intake-only replicas turn them off). */
  workers?: { ingest?: boolean; flush?: boolean; notify?: boolean };
  /** BullMQ lock and stalled-check timings (ms; the lock's is also a claimed flush's lease); short in tests that kill workers. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** How often queue depths and open groups are sampled into metrics (ms, 0 = never). */
  sampleEveryMs?: number;
  onDecision?: (e: DecisionEvent) => void;
  /** The clock of the ingest, flush and notify processors (epoch ms); `Date.now` by default. */
  now?: () => number;
}

/**
 * The alert pipeline: the ingest and notify queues on BullMQ with their workers, the flush
 * scheduler between them (groups' due times in Redis), the sink producers hand alerts to,
 * silences, incidents and acks. `start`/`stop` run the workers; the queues work as soon as it is
 * built, so intake can enqueue before the workers start.
 */
export function createAlertPipeline(o: AlertPipelineOptions) {
  const { config, prefix, logger, metrics } = o;
  // The scripts and reads of the workers share one non-blocking connection of their own with
  // auto-pipelining: the commands that many concurrent jobs issue in the same tick go out as one
  // write and one round trip instead of one each (most of a job's cost is writing and parsing
  // Redis commands). Transactions (`multi`) are unaffected and stay atomic. The notify queue
  // gets another such connection: BullMQ defines its scripts on the connections it uses, and
  // every pipeline or transaction on a connection copies all the scripts defined on it.
  const redis = o.newRedis();
  redis.options.enableAutoPipelining = true;
  const queueRedis = o.newRedis();
  queueRedis.options.enableAutoPipelining = true;
  // Intake writes group state through a fail-fast connection of its own (see failFastRedisOptions),
  // one write at a time and without auto-pipelining: no write builds a pipeline that copies
  // scripts it does not use.
  const producer = o.newRedis(failFastRedisOptions);
  const keys = pipelineKeys(prefix);
  const scripts = defineScripts(redis);
  const routing = createRouting(config);
  const inhibitRules = compileInhibitRules(config.inhibit_rules);
  const silences = createSilences(redis, prefix, {
    maxDurationMs: config.silences.maxDuration,
    openAlerts: () => incidents.openAlertLabels(),
  });
  const knowledge = o.knowledge ?? createRunbookLinks();
  const queueOpts = { connection: queueRedis, prefix };
  // Deliveries are applied to group state at intake (see `write`); the queue and its worker drain
  // jobs written by earlier versions, which queued every delivery for a worker to apply.
  const ingestQueue = new Queue<IngestJob>('ingest', {
    ...queueOpts,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: { count: 1000 }, attempts: 8, backoff: { type: 'exponential', delay: 200 } },
  });
  const notifyQueue = new Queue<NotifyJob>('notify', {
    ...queueOpts,
    defaultJobOptions: {
      removeOnComplete: true,
      removeOnFail: { count: 1000 },
      attempts: config.notify.attempts,
      backoff: { type: 'notify' },
    },
  });
  for (const q of [ingestQueue, notifyQueue]) q.on('error', (err) => logger.warn({ err: err.message, queue: q.name }, 'queue error'));
  const incidents = createIncidents({ redis, keys, scripts });

  const clock = o.now ? { now: o.now } : {};
  const pack = createIngestPacker({ routing, inhibitRules });
  const ingestVia = (connection: Redis, on: PipelineScripts) =>
    createIngestProcessor({
      redis: connection,
      keys,
      scripts: on,
      pack,
      flapping: config.flapping,
      maxAlertsPerCall: config.ingest.maxAlertsPerCall,
      ...clock,
    });
  const processIngest = ingestVia(redis, scripts);
  const applyAtIntake = ingestVia(producer, defineScripts(producer));
  const deliver = createNotifyDelivery({ config, redis, keys, scripts, notifiers: o.notifiers, metrics, logger, ...clock });
  const processNotify = createNotifyProcessor(deliver);
  const run = o.workers ?? {};
  const direct = createDirectDelivery({
    config,
    redis,
    keys,
    scripts,
    queue: notifyQueue,
    queueConnection: queueRedis,
    // Sent here only where this process also runs the notify worker; elsewhere queued.
    ...(run.notify !== false ? { deliver } : {}),
    leaseMs: o.lockDurationMs ?? 30_000,
    sweepEveryMs: o.stalledIntervalMs ?? 30_000,
    logger,
    ...clock,
  });

  const processFlush = createFlushProcessor({
    config,
    redis,
    keys,
    scripts,
    routing,
    inhibitRules,
    knowledge,
    delivery: direct,
    metrics,
    logger,
    onDecision: o.onDecision,
    ...clock,
  });
  const flushScheduler = createFlushScheduler({
    redis,
    connect: () => o.newRedis(),
    keys,
    scripts,
    concurrency: config.flush.concurrency,
    spacingMs: config.flush.spacing,
    leaseMs: o.lockDurationMs ?? 30_000,
    flush: processFlush,
    logger,
    ...clock,
  });
  let flushing = false;
  const workers: Worker[] = [];
  let sampler: NodeJS.Timeout | undefined;
  let backlogsCache: { at: number; value: Promise<PipelineBacklogs> } = {
    at: 0,
    value: Promise.resolve({ ingest: 0, flush: 0, notify: 0 }),
  };
  let backlogCache = { at: 0, value: 0 };
  let backlogRefresh: Promise<number> | undefined;

  const workerOpts = (concurrency: number) => ({
    connection: o.newRedis(),
    prefix,
    concurrency,
    maxStalledCount: 10,
    ...(o.lockDurationMs ? { lockDuration: o.lockDurationMs } : {}),
    ...(o.stalledIntervalMs ? { stalledInterval: o.stalledIntervalMs } : {}),
  });

  /** Groups whose flush is due now and not taken by a scheduler (a claimed one's due time is its lease's end). */
  const flushBacklog = () => redis.zcount(keys.due, '-inf', Date.now());

  const sample = async () => {
    for (const q of [ingestQueue, notifyQueue]) {
      const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed');
      for (const [state, n] of Object.entries(counts)) metrics.queueJobs.set({ queue: q.name, state }, n);
      metrics.pipelineBacklog.set({ queue: q.name }, counts.waiting ?? 0);
    }
    // Deliveries sent straight from a flush are no queue jobs: the outbox counts them.
    metrics.queueJobs.set({ queue: 'notify', state: 'sending' }, await redis.zcard(keys.outbox));
    const [due, scheduled] = await Promise.all([flushBacklog(), redis.zcard(keys.due)]);
    metrics.queueJobs.set({ queue: 'flush', state: 'waiting' }, due);
    metrics.queueJobs.set({ queue: 'flush', state: 'delayed' }, scheduled - due);
    metrics.pipelineBacklog.set({ queue: 'flush' }, due);
    metrics.alertGroupsOpen.set(await redis.scard(keys.groups));
    metrics.incidentsOpen.set(await incidents.countOpen());
  };

  /**
   * Applies deliveries, routed and packed, to their groups' state (and flush due times) in one
   * round trip; resolves once Redis has acknowledged it, so an accepted alert is already stored.
   */
  const write = async (deliveries: IngestDelivery[]): Promise<void> => {
    await applyAtIntake(pack(deliveries));
  };

  const sink = {
    /** Enqueues one delivery durably (resolves once the job is in Redis). */
    async submit(source: string, alerts: Alert[], acceptedAt = Date.now()): Promise<void> {
      const max = config.limits.maxAlertsPerDelivery;
      for (let i = 0; i < alerts.length; i += max) await write([{ source, acceptedAt, alerts: alerts.slice(i, i + max) }]);
    },
    async emit(alerts: Alert[]): Promise<void> {
      if (alerts.length > 0) await sink.submit(alerts[0]!.source, alerts);
    },
  } satisfies AlertSink & Record<string, unknown>;

  const component: Component = {
    name: 'alert-pipeline',
    async start() {
      // Intake answers 503 until its connections are up: have them up before serving.
      await Promise.all([
        ingestQueue.waitUntilReady(),
        notifyQueue.waitUntilReady(),
        producer.status === 'ready' ? undefined : once(producer, 'ready'),
      ]);
      if (run.ingest !== false)
        workers.push(new Worker<IngestJob>('ingest', (job) => processIngest(job.data), workerOpts(config.ingest.concurrency)));
      if (run.flush !== false) {
        await flushScheduler.start();
        flushing = true;
      }
      if (run.notify !== false) {
        direct.start();
        workers.push(
          new Worker<NotifyJob>('notify', (job: Job<NotifyJob>, token?: string) => processNotify(job, token), {
            ...workerOpts(config.notify.concurrency),
            settings: {
              backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) => notifyBackoff(config.notify, attemptsMade, err),
            },
          }),
        );
      }
      for (const w of workers) {
        w.on('error', (err) => logger.warn({ err: err.message, queue: w.name }, 'worker error'));
        w.on('failed', (job, err) => {
          if (err.name !== 'DelayedError') logger.debug({ queue: w.name, job: job?.id, err: err.message }, 'job attempt failed');
        });
      }
      await Promise.all(workers.map((w) => w.waitUntilReady()));
      const every = o.sampleEveryMs ?? 5000;
      if (every > 0) {
        sampler = setInterval(
          () => void sample().catch((err: Error) => logger.debug({ err: err.message }, 'metrics sample failed')),
          every,
        );
        sampler.unref();
      }
    },
    async stop() {
      if (sampler) clearInterval(sampler);
      await Promise.all([
        ...workers.splice(0).map(async (w) => {
          await w.close();
          await w.disconnect();
        }),
        (async () => {
          if (flushing) await flushScheduler.stop();
          await direct.stop();
        })(),
      ]);
      await Promise.all([ingestQueue.close(), notifyQueue.close()]);
    },
  };

  const pipeline = {
    component,
    sink,
    silences,
    incidents,
    routing,
    queues: { ingest: ingestQueue, notify: notifyQueue },
    keys,
    scripts,
    write,
    /**
     * Ingest jobs waiting (cached for 100 ms): intake answers 429 above `limits.backlog`. Callers
     * arriving while a refresh is in flight share it, so it runs at most about ten times a second.
     */
    async backlog(): Promise<number> {
      if (Date.now() - backlogCache.at <= 100) return backlogCache.value;
      backlogRefresh ??= ingestQueue
        .getWaitingCount()
        .then((value) => {
          backlogCache = { at: Date.now(), value };
          return value;
        })
        .finally(() => {
          backlogRefresh = undefined;
        });
      return backlogRefresh;
    },
    /** Jobs waiting in each queue (one read shared by the callers of the same 100 ms). */
    backlogs(): Promise<PipelineBacklogs> {
      const now = Date.now();
      if (now - backlogsCache.at > 100) {
        const value = Promise.all([ingestQueue.getWaitingCount(), flushBacklog(), notifyQueue.getWaitingCount()]).then(
          ([ingest, flush, notify]) => ({ ingest, flush, notify }),
        );
        // A failed read is not cached: the next caller asks Redis again.
        value.catch(() => {
          backlogsCache = { at: 0, value };
        });
        backlogsCache = { at: now, value };
      }
      return backlogsCache.value;
    },
    /** Deliveries being sent straight from a flush (the outbox; a few at a time). */
    sending: () => direct.pending(),
    /** Drops what the producer connection still holds (after a write timed out) and reconnects. */
    resetProducer(): void {
      producer.disconnect(true);
    },
    /** False while either connection intake and the API use is not connected to Redis. */
    available(): boolean {
      return redis.status === 'ready' && producer.status === 'ready';
    },
    sample,
  };
  return pipeline;
}

export type AlertPipeline = ReturnType<typeof createAlertPipeline>;
