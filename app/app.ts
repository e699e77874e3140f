import { createAuditLog } from '../chat/audit.ts';
import { createAuthz } from '../chat/authz.ts';
import { createConsoleChat } from '../chat/adapters/console.ts';
import { createDingTalkChat } from '../chat/adapters/dingtalk.ts';
import { createRouter } from '../chat/router.ts';
import { createSlackChat } from '../chat/adapters/slack.ts';
import type { Deps } from './deps.ts';
import { requireApiToken } from '../core/api-auth.ts';
import type { HttpPlugin } from '../core/http.ts';
import { createHttpServer } from './http-server.ts';
import { createIntakeApp } from './intake.ts';
import { incidentsViewer } from './incidents/auth.ts';
import { createIncidentsRoutes } from './incidents/routes.ts';
import { consoleChatEnabled } from './log-destination.ts';
import { createCommandServices } from './services.ts';
import { createRateLimiter } from '../chat/rate-limit.ts';
import { demoHandlers, handlers } from '../handlers/index.ts';
import { registerKnowledgeRoutes } from '../knowledge/index.ts';
import { renderText } from '../platforms/console/render-text.ts';

/** Where the console chat reads and writes; the process passes its own stdio. */
export interface AppIo {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  interactive: boolean;
}

/**
 * Wires the process together from one `Deps`: router, HTTP server and chat adapters, each
 * registered with the lifecycle in start order (stopped in reverse). `server.role` decides the
 * parts: an `intake` process serves only the intake routes (and health, metrics; `firstmate start`
 * builds those through app/intake.ts without loading this file); a `worker` process everything else.
 */
export function createApp(deps: Deps, io?: AppIo) {
  const role = deps.config.server.role;
  if (role === 'intake') return { router: undefined, http: createIntakeApp(deps).http, slack: undefined };
  const authz = createAuthz(deps.config);
  const audit = createAuditLog(deps);
  const { limit, windowSeconds } = deps.config.auth.rateLimit;
  const services = createCommandServices(deps);
  const router = createRouter({
    deps,
    services,
    authz,
    handlers: services.demo ? [...handlers, ...demoHandlers] : handlers,
    observers: [audit.record],
    rateLimiter: createRateLimiter({ redis: deps.redis, prefix: deps.config.redis.prefix, limit, windowSeconds }),
  });
  const slackSettings = deps.config.chat.slack;
  const slack = slackSettings.botToken
    ? createSlackChat({ router, logger: deps.logger, settings: slackSettings, redis: deps.redis, keyPrefix: deps.config.redis.prefix })
    : undefined;
  const plugins: HttpPlugin[] = [
    ...(role === 'worker' ? deps.alerts.apiPlugins : deps.alerts.httpPlugins),
    (app) => {
      if (deps.config.server.requireToken.kb) requireApiToken(app, deps.alerts.apiAuth);
      return registerKnowledgeRoutes(app, deps.knowledge, {
        ...(deps.config.knowledge.editBaseUrl && { editBaseUrl: deps.config.knowledge.editBaseUrl }),
        ...(deps.config.display.timeZone && { timeZone: deps.config.display.timeZone }),
      });
    },
  ];
  plugins.push(
    createIncidentsRoutes({
      sources: {
        incidents: deps.alerts.incidents,
        silences: deps.alerts.silences,
        notifyQueue: deps.alerts.pipeline.queues.notify,
        sending: deps.alerts.pipeline.sending,
        audit,
      },
      authorize: incidentsViewer(deps.config),
      publicUrl: () => deps.publicUrl.get(),
      ...(deps.config.display.timeZone && { timeZone: deps.config.display.timeZone }),
    }),
  );
  if (slack?.httpPlugin) plugins.push(slack.httpPlugin);
  const http = createHttpServer(deps, plugins);
  deps.lifecycle.add(http);
  // After the HTTP server: in HTTP mode Slack's events arrive there; stopped before it.
  if (slack) {
    deps.lifecycle.add(slack);
    deps.opsPosts.register('slack', (channel, reply) => slack.post(channel, reply));
  }
  const dt = deps.config.chat.dingtalk;
  const dingtalkEnabled = dt.enabled === true || (dt.enabled === 'auto' && Boolean(dt.clientId && dt.clientSecret));
  if (dingtalkEnabled) deps.lifecycle.add(createDingTalkChat({ deps, router }));
  const otherChat = slack !== undefined || dingtalkEnabled;
  if (otherChat && !deps.publicUrl.configured) {
    deps.lifecycle.add({
      name: 'public-url-check',
      start: async () => {
        deps.logger.warn(
          { publicUrl: deps.publicUrl.get() },
          `chat is on but server.publicUrl is not set: links in messages point at ${deps.publicUrl.get()}, which only this machine can open; set server.publicUrl (FIRSTMATE_PUBLIC_URL)`,
        );
      },
    });
  }
  if (consoleChatEnabled(deps.config) && io) {
    const out = io.output;
    deps.opsPosts.register('console', async (_channel, reply) => {
      out.write(`${renderText(reply)}\n`);
    });
    deps.lifecycle.add(
      createConsoleChat({
        router,
        input: io.input as never,
        output: io.output as never,
        user: deps.config.chat.console.user,
        interactive: io.interactive,
      }),
    );
  }
  return { router, http, slack };
}
