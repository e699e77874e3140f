import type { Redis } from 'ioredis';
import type { Readiness } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { AuditConfig, AuthConfig, ChatConfig } from './config-schema.ts';

/** What the chat layer (router, audit, adapters) takes from the process. */
export interface ChatDeps {
  config: { chat: ChatConfig; auth: AuthConfig; audit: AuditConfig; redis: { prefix: string } };
  logger: Logger;
  metrics: Metrics;
  redis: Redis;
  readiness: Readiness;
}
