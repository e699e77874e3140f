import { randomBytes } from 'node:crypto';
import Fastify, { LogController, type FastifyError, type FastifyRequest } from 'fastify';
import { requireApiToken } from '../core/api-auth.ts';
import type { ErrorBody, HttpPlugin } from '../core/http.ts';
import type { BaseDeps } from './base-deps.ts';

const statusByCode: Record<string, { status: number; error: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, error: 'body too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, error: 'unsupported content type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, error: 'content length does not match the body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, error: 'empty JSON body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, error: 'invalid JSON' },
};

/**
 * The HTTP server: health, readiness and metrics (behind the API tokens when
 * `server.requireToken.metrics`), the uniform error shape, body limit and content-type checks for
 * every route, request logging (except at debug level, none for routes whose config says
 * `logRequests: false`: the intake routes, which log a periodic summary instead), and the
 * connection limits of `server` (idle, keep-alive, headers and request timeouts, a connection
 * cap). `stop()` stops accepting and waits for requests in flight.
 */
export function createHttpServer(
  deps: Pick<BaseDeps, 'config' | 'logger' | 'metrics' | 'readiness' | 'alerts' | 'publicUrl'>,
  plugins: readonly HttpPlugin[] = [],
) {
  const { config, logger, metrics, readiness } = deps;
  const s = config.server;
  const debug = logger.isLevelEnabled('debug');
  const quiet = (req: FastifyRequest) =>
    !debug && (req.routeOptions?.config as { logRequests?: boolean } | undefined)?.logRequests === false;
  const app = Fastify({
    loggerInstance: logger.child({ component: 'http' }),
    logController: new LogController({ disableRequestLogging: quiet as (req: object) => boolean }),
    bodyLimit: s.bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
    keepAliveTimeout: s.keepAliveTimeoutMs,
    requestTimeout: s.requestTimeoutMs,
    // Node checks headers and request timeouts on this period (below 250 ms it misses idle sockets).
    http: { headersTimeout: s.headersTimeoutMs, connectionsCheckingInterval: Math.max(250, Math.min(1000, s.headersTimeoutMs / 4)) },
  });
  app.server.maxConnections = s.maxConnections;
  // A socket with no traffic for idleTimeoutMs is destroyed, whatever state its request is in.
  app.server.on('connection', (socket) => {
    socket.setTimeout(s.idleTimeoutMs);
    socket.once('timeout', () => socket.destroy());
  });

  app.setErrorHandler((err: FastifyError, req, res) => {
    const known = err.code ? statusByCode[err.code] : undefined;
    if (known) {
      const body: ErrorBody = { error: known.error, details: [{ path: '(body)', message: err.message }] };
      return res.status(known.status).send(body);
    }
    const status = err.statusCode ?? 500;
    if (status < 500) return res.status(status).send({ error: err.message } satisfies ErrorBody);
    const ref = randomBytes(4).toString('hex');
    req.log.error({ err, ref }, 'request failed');
    return res.status(500).send({ error: 'internal error', ref } satisfies ErrorBody);
  });
  app.setNotFoundHandler((req, res) =>
    res.status(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` } satisfies ErrorBody),
  );
  // Responses finished while stopping close their connection, so keep-alive clients cannot hold
  // the server open after the last request in flight.
  let closing = false;
  app.addHook('onSend', (_req, res, payload, done) => {
    if (closing) res.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onResponse', (req, res, done) => {
    metrics.httpRequests.inc({ route: req.routeOptions.url ?? 'unmatched', status: String(res.statusCode) });
    done();
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    const result = await readiness.evaluate();
    metrics.ready.set(result.ready ? 1 : 0);
    return res.status(result.ready ? 200 : 503).send(result);
  });
  void app.register(async (scope) => {
    if (s.requireToken.metrics) requireApiToken(scope, deps.alerts.apiAuth);
    scope.get('/metrics', async (_req, res) => {
      res.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  });
  for (const plugin of plugins) void app.register(async (scope) => plugin(scope));

  return {
    name: 'http',
    app,
    /** The port actually bound (config port 0 picks a free one). */
    port(): number {
      const addr = app.server.address();
      return typeof addr === 'object' && addr ? addr.port : 0;
    },
    async start(): Promise<void> {
      await app.listen({ host: config.server.host, port: config.server.port });
      deps.publicUrl.listening(app.server.address());
    },
    async stop(): Promise<void> {
      closing = true;
      await app.close();
    },
  };
}

export type HttpServer = ReturnType<typeof createHttpServer>;
