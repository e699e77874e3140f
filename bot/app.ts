import { createAuthz } from './authz.ts';
import { createConsoleChat } from './chat/console.ts';
import { createRouter } from './chat/router.ts';
import type { Deps } from './deps.ts';
import { createHttpServer } from './http.ts';
import { handlers } from '../handlers/index.ts';

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
  const router = createRouter({
    deps,
    authz,
    handlers,
    observers: [(o) => deps.logger.info({ command: o.command, user: o.user?.id, platform: o.identity.platform, decision: o.decision, result: o.result, ref: o.ref, ms: Math.round(o.durationMs) }, 'chat command')],
  });
  const http = createHttpServer(deps, deps.alerts.httpPlugins);
  deps.lifecycle.add(http);
  const consoleEnabled = deps.config.chat.console.enabled === true || deps.config.chat.console.enabled === 'auto';
  if (consoleEnabled && io) {
    deps.lifecycle.add(createConsoleChat({ router, input: io.input as never, output: io.output as never, user: deps.config.chat.console.user, interactive: io.interactive }));
  }
  return { router, http };
}
