import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric firstmate exports, defined in one place. Each `createMetrics` call has its own
 * registry so several instances (tests) never collide.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const r = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: 'firstmate_http_requests_total',
      help: 'HTTP requests answered',
      labelNames: ['route', 'status'],
      registers: r,
    }),
    chatCommands: new Counter({
      name: 'firstmate_chat_commands_total',
      help: 'Chat commands handled',
      labelNames: ['platform', 'command', 'outcome'],
      registers: r,
    }),
    chatCommandSeconds: new Histogram({
      name: 'firstmate_chat_command_duration_seconds',
      help: 'Time to answer a chat command',
      labelNames: ['command'],
      buckets: [0.005, 0.02, 0.1, 0.5, 2, 10],
      registers: r,
    }),
    redisUp: new Gauge({ name: 'firstmate_redis_up', help: '1 when Redis answers', registers: r }),
    dingtalkConnected: new Gauge({
      name: 'firstmate_dingtalk_connected',
      help: '1 while the DingTalk Stream connection is open',
      registers: r,
    }),
    dingtalkReconnects: new Counter({
      name: 'firstmate_dingtalk_reconnects_total',
      help: 'DingTalk Stream connection attempts after the first, by why the previous one ended',
      labelNames: ['reason'],
      registers: r,
    }),
    dingtalkCallbacks: new Counter({
      name: 'firstmate_dingtalk_callbacks_total',
      help: 'DingTalk robot callbacks received',
      labelNames: ['outcome'],
      registers: r,
    }),
    ready: new Gauge({ name: 'firstmate_ready', help: '1 when every readiness check passes', registers: r }),
    alertsAccepted: new Counter({
      name: 'firstmate_alerts_accepted_total',
      help: 'Alerts accepted by intake',
      labelNames: ['source'],
      registers: r,
    }),
    alertsRejected: new Counter({
      name: 'firstmate_alerts_rejected_total',
      help: 'Intake deliveries refused',
      labelNames: ['source', 'reason'],
      registers: r,
    }),
    dedupDecisions: new Counter({
      name: 'firstmate_dedup_decisions_total',
      help: 'Flush decisions by reason (first, firing-changed, repeat, unchanged, …)',
      labelNames: ['receiver', 'reason'],
      registers: r,
    }),
    alertGroupsOpen: new Gauge({ name: 'firstmate_alert_groups_open', help: 'Aggregation groups holding alerts', registers: r }),
    incidentsOpen: new Gauge({ name: 'firstmate_incidents_open', help: 'Incidents notified and not yet resolved', registers: r }),
    notifications: new Counter({
      name: 'firstmate_notifications_total',
      help: 'Notification deliveries by outcome (sent, updated, skipped, retried, failed)',
      labelNames: ['receiver', 'kind', 'outcome'],
      registers: r,
    }),
    alertDecisionSeconds: new Histogram({
      name: 'firstmate_alert_decision_seconds',
      help: 'From intake acceptance to the dedup decision (includes group_wait)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5, 30, 120],
      registers: r,
    }),
    alertNotifySeconds: new Histogram({
      name: 'firstmate_alert_notify_seconds',
      help: 'From intake acceptance to delivery',
      labelNames: ['receiver'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300],
      registers: r,
    }),
    kubeInformerRestarts: new Counter({
      name: 'firstmate_kube_informer_restarts_total',
      help: 'Informers restarted after the watch or list failed',
      labelNames: ['informer'],
      registers: r,
    }),
    kubeCacheEvents: new Counter({
      name: 'firstmate_kube_cache_events_total',
      help: 'Watch and list events applied to the cluster cache',
      labelNames: ['kind', 'verb'],
      registers: r,
    }),
    kubeReconciles: new Histogram({
      name: 'firstmate_kube_reconcile_seconds',
      help: 'Reconcile duration by controller and result (ok, error, terminal)',
      labelNames: ['controller', 'result'],
      buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2],
      registers: r,
    }),
    kubeQueueDepth: new Gauge({
      name: 'firstmate_kube_workqueue_depth',
      help: 'Keys waiting in each reconciler work queue',
      labelNames: ['controller'],
      registers: r,
    }),
    kubeLeader: new Gauge({
      name: 'firstmate_kube_leader',
      help: '1 while this replica holds the leader Lease and runs the reconcilers',
      registers: r,
    }),
    kubeAlerts: new Counter({
      name: 'firstmate_kube_alerts_total',
      help: 'Alerts raised by the Kubernetes reconcilers',
      labelNames: ['alertname'],
      registers: r,
    }),
    operations: new Counter({
      name: 'firstmate_operations_total',
      help: 'Safe operations by kind and outcome (started, refused, confirmed, succeeded, failed, cancelled, expired)',
      labelNames: ['kind', 'outcome'],
      registers: r,
    }),
    queueJobs: new Gauge({
      name: 'firstmate_queue_jobs',
      help: 'Pipeline queue depth by state (notify "sending": deliveries sent straight from a flush, in the outbox)',
      labelNames: ['queue', 'state'],
      registers: r,
    }),
    pipelineBacklog: new Gauge({
      name: 'firstmate_pipeline_backlog',
      help: 'Jobs due and not yet taken per pipeline queue (ingest, flush, notify); intake answers 429 at the limit',
      labelNames: ['queue'],
      registers: r,
    }),
    pipelineBacklogLimit: new Gauge({
      name: 'firstmate_pipeline_backlog_limit',
      help: 'Backlog per pipeline queue at which intake answers 429',
      labelNames: ['queue'],
      registers: r,
    }),
    intakeUnavailable: new Counter({
      name: 'firstmate_intake_unavailable_total',
      help: 'Requests answered 503 because Redis could not be reached',
      labelNames: ['route'],
      registers: r,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** The Kubernetes core's metric hooks, backed by the registry above. */
export function kubeMetricsOf(m: Metrics) {
  return {
    informerRestart: (informer: string) => m.kubeInformerRestarts.inc({ informer }),
    cacheEvent: (kind: string, verb: string) => m.kubeCacheEvents.inc({ kind, verb }),
    reconcile: (controller: string, result: string, seconds: number) => m.kubeReconciles.observe({ controller, result }, seconds),
    queueDepth: (controller: string, depth: number) => m.kubeQueueDepth.set({ controller }, depth),
    leader: (leading: boolean) => m.kubeLeader.set(leading ? 1 : 0),
    alertsEmitted: (alertname: string, count: number) => m.kubeAlerts.inc({ alertname }, count),
  };
}
