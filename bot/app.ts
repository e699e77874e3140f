import { createAuditLog } from './audit.ts';
import { createAuthz } from './authz.ts';
import { createConsoleChat } from './chat/console.ts';
import { createDingTalkChat } from './chat/dingtalk.ts';
import { createRouter } from './chat/router.ts';
import type { Deps } from './deps.ts';
import { createHttpServer } from './http.ts';
import { createRateLimiter } from './rate-limit.ts';
import { handlers } from '../handlers/index.ts';
import { registerKnowledgeRoutes } from '../knowledge/index.ts';

/** Where the console chat reads and writes; the process passes its own stdio. */
export interface AppIo {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  interactive: boolean;
}

/**
 * Wires the process together from one `Deps`: router, HTTP server and chat adapters, each
 * registered with the lifecycle in start order (stopped in reverse).
 */
export function createApp(deps: Deps, io?: AppIo) {
  const authz = createAuthz(deps.config);
  const audit = createAuditLog(deps);
  const { limit, windowSeconds } = deps.config.auth.rateLimit;
  const router = createRouter({
    deps,
    authz,
    handlers,
    observers: [audit.record],
    rateLimiter: createRateLimiter({ redis: deps.redis, prefix: deps.config.redis.prefix, limit, windowSeconds }),
  });
  const http = createHttpServer(deps, [(app) => registerKnowledgeRoutes(app, deps.knowledge)]);
  deps.lifecycle.add(http);
  const dt = deps.config.chat.dingtalk;
  const dingtalkEnabled = dt.enabled === true || (dt.enabled === 'auto' && Boolean(dt.clientId && dt.clientSecret));
  if (dingtalkEnabled) deps.lifecycle.add(createDingTalkChat({ deps, router }));
  const consoleEnabled = deps.config.chat.console.enabled === true || (deps.config.chat.console.enabled === 'auto' && !dingtalkEnabled);
  if (consoleEnabled && io) {
    deps.lifecycle.add(createConsoleChat({ router, input: io.input as never, output: io.output as never, user: deps.config.chat.console.user, interactive: io.interactive }));
  }
  return { router, http };
}
