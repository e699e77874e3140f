import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody, HttpPlugin } from '../core/http.ts';
import type { Metrics } from '../core/metrics.ts';
import { bearerToken, tokenAllowed } from './auth.ts';
import type { AlertsConfig } from './config-schema.ts';
import type { IntakeStats } from './intake-summary.ts';
import type { Alert } from './model.ts';
import type { SentryFrequencyCounter } from './sources/sentry-frequency.ts';
import type { IntakeRequest, Source, SourceOptions } from './sources/types.ts';

/** What intake needs from the pipeline. */
export interface IntakeTarget {
  /** Resolves once the alerts are durably in Redis; rejects when the write holding them failed. */
  submit(source: string, alerts: Alert[], acceptedAt?: number): Promise<void>;
  backlog(): Promise<number>;
}

const reasons: Record<number, string> = {
  400: 'invalid',
  401: 'credentials',
  413: 'too-large',
  415: 'content-type',
  429: 'backlog',
  503: 'unavailable',
};

/** The parser options every source gets, from `alerts.sources` and `alerts.limits`. */
export function sourceOptions(cfg: AlertsConfig): SourceOptions {
  const { tokens: _tokens, frequency: _frequency, generatorUrl: _generatorUrl, ...options } = cfg.sources;
  return { ...options, maxAlerts: cfg.limits.maxAlertsPerDelivery };
}

/**
 * The intake routes: for every source, its POST routes with the raw body kept as bytes (for
 * signatures and gzip), bearer tokens per source (constant-time), 415 for content types the
 * source does not take, 429 with Retry-After over the backlog limit, the source's parser (400 with
 * details), Sentry frequency rules, and the delivery handed to the group commit. `202
 * {"accepted": n}` is sent only once the write holding the delivery is in Redis; `503` with
 * Retry-After when exactly that write failed. Bad input never gets a 5xx and never enqueues
 * anything. No log line per request: `stats` feeds the periodic intake summary.
 */
export function createIntakeRoutes(o: {
  sources: readonly Source[];
  config: AlertsConfig;
  target: IntakeTarget;
  frequency?: SentryFrequencyCounter;
  metrics: Metrics;
  stats?: IntakeStats;
}): HttpPlugin {
  const options = sourceOptions(o.config);
  const { limits } = o.config;
  return (app: FastifyInstance) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.addHook('onResponse', async (req, res) => {
      const source = (req.routeOptions.config as { source?: string } | undefined)?.source;
      if (source && res.statusCode >= 400) {
        o.metrics.alertsRejected.inc({ source, reason: reasons[res.statusCode] ?? String(res.statusCode) });
        o.stats?.refused(res.statusCode);
      }
    });
    for (const source of o.sources) {
      const tokens = o.config.sources.tokens[source.name] ?? [];
      const handler = async (req: FastifyRequest, res: FastifyReply) => {
        const query = (req.query ?? {}) as Record<string, string | undefined>;
        if (source.bearerAuth && !tokenAllowed(tokens, bearerToken(req.headers, query))) {
          return res
            .status(401)
            .header('www-authenticate', 'Bearer')
            .send({ error: 'missing or wrong bearer token' } satisfies ErrorBody);
        }
        const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (source.contentTypes.length > 0 && !source.contentTypes.includes(type)) {
          return res.status(415).send({
            error: 'unsupported content type',
            details: [{ path: 'content-type', message: `expected ${source.contentTypes.join(' or ')}, got ${type || 'none'}` }],
          } satisfies ErrorBody);
        }
        if ((await o.target.backlog()) >= limits.backlog) {
          return res
            .status(429)
            .header('retry-after', String(limits.retryAfterSeconds))
            .send({ error: 'the alert pipeline is over its backlog limit; retry later' } satisfies ErrorBody);
        }
        const intake: IntakeRequest = {
          params: (req.params ?? {}) as Record<string, string>,
          query,
          headers: req.headers,
          rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
          receivedAt: new Date(),
        };
        const result = await source.parse(intake, options);
        if (!result.ok) {
          return res.status(result.status).send({ error: result.error, details: result.details ?? [] } satisfies ErrorBody);
        }
        const alerts = [...result.alerts];
        if (result.events.length > 0 && o.frequency) alerts.push(...(await o.frequency.observe(result.events, intake.receivedAt)));
        if (alerts.length > 0) {
          try {
            await o.target.submit(source.name, alerts, intake.receivedAt.getTime());
          } catch {
            return res
              .status(503)
              .header('retry-after', String(limits.retryAfterSeconds))
              .send({ error: 'the alerts could not be stored; retry later' } satisfies ErrorBody);
          }
        }
        const accepted = result.alerts.length + result.events.length;
        o.metrics.alertsAccepted.inc({ source: source.name }, accepted);
        o.stats?.accepted(accepted);
        return res.status(202).send({ accepted });
      };
      for (const url of source.routes) app.post(url, { config: { source: source.name, logRequests: false } }, handler);
    }
  };
}
