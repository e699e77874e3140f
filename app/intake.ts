/**
 * An `intake` process (`firstmate start --role intake`, and each of `--processes N`): the alert
 * sources, routing and packing, the pipeline's write path and the HTTP server with the intake
 * routes, `/healthz`, `/readyz` and `/metrics`. Loaded by dynamic import for that role, so such
 * a process never loads chat, the Kubernetes client, safe operations, the handlers, the
 * notifiers or the knowledge base (knowledge links are added at flush and notifications sent by
 * notify, both in `worker` processes).
 */
import { createBaseDeps, createHub, type BaseDeps } from './base-deps.ts';
import type { Config } from './config-schema.ts';
import type { Logger } from '../core/logger.ts';
import { createHttpServer } from './http-server.ts';

/**
 * The clients and the alert hub: all an intake process builds. The hub gets no notifiers and no
 * knowledge links (notify and flush run in `worker` processes) and runs no workers.
 */
export function createIntakeDeps(config: Config, logger: Logger): Promise<BaseDeps> {
  return createBaseDeps(config, logger, async (clients) => ({ alerts: createHub(clients) }));
}

/** The HTTP server with the intake routes alone, registered with the lifecycle. */
export function createIntakeApp(deps: BaseDeps) {
  const http = createHttpServer(deps, deps.alerts.intakePlugins);
  deps.lifecycle.add(http);
  return { http };
}
