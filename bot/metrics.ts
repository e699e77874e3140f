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
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
