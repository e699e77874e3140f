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
    httpRequests: new Counter({ name: 'firstmate_http_requests_total', help: 'HTTP requests answered', labelNames: ['route', 'status'], registers: r }),
    chatCommands: new Counter({ name: 'firstmate_chat_commands_total', help: 'Chat commands handled', labelNames: ['platform', 'command', 'outcome'], registers: r }),
    chatCommandSeconds: new Histogram({ name: 'firstmate_chat_command_duration_seconds', help: 'Time to answer a chat command', labelNames: ['command'], buckets: [0.005, 0.02, 0.1, 0.5, 2, 10], registers: r }),
    redisUp: new Gauge({ name: 'firstmate_redis_up', help: '1 when Redis answers', registers: r }),
    dingtalkConnected: new Gauge({ name: 'firstmate_dingtalk_connected', help: '1 while the DingTalk Stream connection is open', registers: r }),
    dingtalkReconnects: new Counter({ name: 'firstmate_dingtalk_reconnects_total', help: 'DingTalk Stream connection attempts after the first, by why the previous one ended', labelNames: ['reason'], registers: r }),
    dingtalkCallbacks: new Counter({ name: 'firstmate_dingtalk_callbacks_total', help: 'DingTalk robot callbacks received', labelNames: ['outcome'], registers: r }),
    ready: new Gauge({ name: 'firstmate_ready', help: '1 when every readiness check passes', registers: r }),
    alertsAccepted: new Counter({ name: 'firstmate_alerts_accepted_total', help: 'Alerts accepted by intake', labelNames: ['source'], registers: r }),
    alertsRejected: new Counter({ name: 'firstmate_alerts_rejected_total', help: 'Intake deliveries refused', labelNames: ['source', 'reason'], registers: r }),
    dedupDecisions: new Counter({ name: 'firstmate_dedup_decisions_total', help: 'Flush decisions by reason (first, firing-changed, repeat, unchanged, …)', labelNames: ['receiver', 'reason'], registers: r }),
    alertGroupsOpen: new Gauge({ name: 'firstmate_alert_groups_open', help: 'Aggregation groups holding alerts', registers: r }),
    incidentsOpen: new Gauge({ name: 'firstmate_incidents_open', help: 'Incidents notified and not yet resolved', registers: r }),
    notifications: new Counter({ name: 'firstmate_notifications_total', help: 'Notification deliveries by outcome (sent, updated, skipped, retried, failed)', labelNames: ['receiver', 'kind', 'outcome'], registers: r }),
    alertDecisionSeconds: new Histogram({ name: 'firstmate_alert_decision_seconds', help: 'From intake acceptance to the dedup decision (includes group_wait)', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5, 30, 120], registers: r }),
    alertNotifySeconds: new Histogram({ name: 'firstmate_alert_notify_seconds', help: 'From intake acceptance to delivery', labelNames: ['receiver'], buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300], registers: r }),
    queueJobs: new Gauge({ name: 'firstmate_queue_jobs', help: 'Pipeline queue depth by state', labelNames: ['queue', 'state'], registers: r }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
