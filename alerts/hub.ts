import type { Redis, RedisOptions } from 'ioredis';
import { createApiAuth } from '../core/api-auth.ts';
import type { AlertsConfig } from './config-schema.ts';
import type { HttpPlugin } from '../core/http.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import { createAlertApiRoutes, type ApiAuditEntry } from './api-routes.ts';
import { createIntakeAdmission } from './intake-admission.ts';
import { createReplayGuard } from './intake-replay.ts';
import { createAlertmanagerStatusRoute } from './alertmanager-status-route.ts';
import { createGroupCommit } from './intake-commit.ts';
import { createIntakeRoutes } from './intake-routes.ts';
import { createIntakeStats, createIntakeSummary } from './intake-summary.ts';
import type { KnowledgeLinks } from './knowledge.ts';
import type { Alert } from './model.ts';
import { createNotifierRegistry } from './notifiers/registry.ts';
import type { Notifier } from './notifiers/types.ts';
import { createAlertPipeline, failFastRedisOptions } from './pipeline/index.ts';
import type { DecisionEvent } from './pipeline/types.ts';
import { createSentryFrequencyCounter, sources } from './sources/index.ts';

/** What the alert hub is built from. */
export interface AlertHubOptions {
  config: { alerts: AlertsConfig; redis: { prefix: string } };
  redis: Redis;
  newRedis(options?: RedisOptions): Redis;
  logger: Logger;
  metrics: Metrics;
  /**
   * The notifiers this process sends with, one per destination kind; more may register later. An
   * intake-only process, which runs no notify worker, passes none.
   */
  notifiers?: readonly Notifier[];
  knowledge?: KnowledgeLinks;
  onDecision?: (e: DecisionEvent) => void;
  /** Records what API tokens do to silences and incidents (the audit log). */
  audit?: (entry: ApiAuditEntry) => Promise<void>;
}

/**
 * The alert hub as `Deps` holds it: notifier registry (the process passes its notifiers; Slack
 * and DingTalk may register theirs later), the pipeline (sink, silences, incidents, queues, its
 * lifecycle component), Sentry frequency counting, the API token check (`apiAuth`, shared by every route
 * that needs a token), the HTTP plugins (intake through admission and the group commit,
 * Alertmanager's status route, API) and the intake summary component.
 */
export function createAlertHub(o: AlertHubOptions) {
  const { config, logger } = o;
  const cfg = config.alerts;
  const notifiers = createNotifierRegistry(o.notifiers);
  const pipeline = createAlertPipeline({
    config: cfg,
    prefix: config.redis.prefix,
    redis: o.redis,
    newRedis: o.newRedis,
    logger: logger.child({ component: 'alerts' }),
    metrics: o.metrics,
    notifiers,
    ...(o.knowledge ? { knowledge: o.knowledge } : {}),
    ...(cfg.workers.enabled ? {} : { workers: { ingest: false, flush: false, notify: false } }),
    lockDurationMs: cfg.workers.lockDuration,
    stalledIntervalMs: cfg.workers.stalledInterval,
    sampleEveryMs: cfg.workers.sampleEvery,
    ...(o.onDecision ? { onDecision: o.onDecision } : {}),
  });
  // Intake's own Redis writes fail fast while Redis is down, like the pipeline's producer.
  const intakeRedis = o.newRedis(failFastRedisOptions);
  const frequency = createSentryFrequencyCounter({
    redis: intakeRedis,
    prefix: config.redis.prefix,
    rules: cfg.sources.frequency,
    ...(cfg.sources.generatorUrl ? { generatorUrl: cfg.sources.generatorUrl } : {}),
  });
  const commit = createGroupCommit({ write: pipeline.write, maxAlerts: cfg.intake.maxBatchAlerts });
  const stats = createIntakeStats();
  const intakeTarget = {
    submit: (source: string, alerts: Alert[], acceptedAt = Date.now()) => commit.submit({ source, acceptedAt, alerts }),
    available: pipeline.available,
    backlogs: pipeline.backlogs,
    resetProducer: pipeline.resetProducer,
  };
  const apiAuth = createApiAuth({ tokens: cfg.apiTokens, open: cfg.api.open });
  const intakePlugins: HttpPlugin[] = [
    createIntakeRoutes({
      sources,
      config: cfg,
      target: intakeTarget,
      admission: createIntakeAdmission({ limits: cfg.limits, target: intakeTarget, metrics: o.metrics, logger }),
      replay: createReplayGuard({ redis: intakeRedis, prefix: config.redis.prefix, windowMs: cfg.sources.replayWindow }),
      frequency,
      metrics: o.metrics,
      stats,
    }),
    createAlertmanagerStatusRoute({ tokens: cfg.sources.tokens.prometheus ?? [], open: cfg.sources.open.includes('prometheus') }),
  ];
  const apiPlugins: HttpPlugin[] = [
    createAlertApiRoutes({
      pipeline,
      auth: apiAuth,
      limits: cfg.limits,
      logger,
      ...(o.audit ? { audit: o.audit } : {}),
    }),
  ];
  const intakeSummary = createIntakeSummary({
    logger: logger.child({ component: 'intake' }),
    everyMs: cfg.intake.summaryEvery,
    read: () => {
      const c = commit.stats();
      return { ...stats.totals(), writes: c.writes, failedWrites: c.failedWrites };
    },
  });
  return {
    notifiers,
    pipeline,
    /** Where reconcilers and other producers hand alerts over. */
    sink: pipeline.sink,
    silences: pipeline.silences,
    incidents: pipeline.incidents,
    frequency,
    apiAuth,
    /** Intake (webhooks, `/api/v2`) and the hub's API: what a process of role `all` serves. */
    httpPlugins: [...intakePlugins, ...apiPlugins],
    /** The intake routes alone (role `intake`). */
    intakePlugins,
    /** The hub's API alone (role `worker`). */
    apiPlugins,
    /** Logs intake's periodic summary line (register with the lifecycle). */
    intakeSummary,
  };
}

export type AlertHub = ReturnType<typeof createAlertHub>;
