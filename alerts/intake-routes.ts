import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody, HttpPlugin } from '../core/http.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import { bearerToken, tokenCheck } from './auth.ts';
import type { AlertsConfig } from './config-schema.ts';
import { closedSourceMessage, intakeAccess } from './intake-access.ts';
import { sendRefusal, type AdmissionTarget, type IntakeAdmission } from './intake-admission.ts';
import type { ReplayGuard } from './intake-replay.ts';
import type { IntakeStats } from './intake-summary.ts';
import type { Alert } from './model.ts';
import type { SentryFrequencyCounter } from './sources/sentry-frequency.ts';
import type { IntakeRequest, Source, SourceOptions } from './sources/types.ts';

/** What intake needs from the pipeline. */
export interface IntakeTarget extends AdmissionTarget {
  /** Resolves once the alerts are durably in Redis; rejects when the write holding them failed. */
  submit(source: string, alerts: Alert[], acceptedAt?: number): Promise<void>;
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
  const {
    tokens: _tokens,
    frequency: _frequency,
    generatorUrl: _generatorUrl,
    open: _open,
    replayWindow: _replayWindow,
    ...options
  } = cfg.sources;
  return { ...options, maxAlerts: cfg.limits.maxAlertsPerDelivery };
}

/**
 * The intake routes: for every source, its POST routes with the raw body kept as bytes (for
 * signatures and gzip), bearer tokens per source (constant-time), 415 for content types the
 * source does not take, admission (429 over a backlog limit, 503 while Redis is unreachable, both
 * with Retry-After), the source's parser (400 with details), replay protection for sources that
 * name their deliveries, Sentry frequency rules, and the delivery handed to the group commit.
 * `202 {"accepted": n}` is sent only once the write holding the delivery is in Redis; `503` with
 * Retry-After when that write failed or Redis does not answer in time. Bad input never gets a 5xx
 * and never enqueues anything. A source with no credential answers 401 unless
 * `alerts.sources.open` lists it. No log line per request: `stats` feeds the periodic intake summary.
 */
export function createIntakeRoutes(o: {
  sources: readonly Source[];
  config: AlertsConfig;
  target: IntakeTarget;
  admission: IntakeAdmission;
  replay?: ReplayGuard;
  frequency?: SentryFrequencyCounter;
  metrics: Metrics;
  stats?: IntakeStats;
}): HttpPlugin {
  const options = sourceOptions(o.config);
  const { admission } = o;
  return (app: FastifyInstance) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    // Intake requests log no line of their own, so below debug level they share the server's
    // logger instead of each building a child (with redaction) for its request id.
    if (!(app.log as Logger).isLevelEnabled('debug')) app.setChildLoggerFactory((logger) => logger);
    app.addHook('onResponse', (req, res, done) => {
      const source = (req.routeOptions.config as { source?: string } | undefined)?.source;
      if (source && res.statusCode >= 400) {
        o.metrics.alertsRejected.inc({ source, reason: reasons[res.statusCode] ?? String(res.statusCode) });
        o.stats?.refused(res.statusCode);
      }
      done();
    });
    for (const source of o.sources) {
      const tokenAllowed = tokenCheck(o.config.sources.tokens[source.name] ?? []);
      const access = intakeAccess(source, o.config, options);
      const handler = async (req: FastifyRequest, res: FastifyReply) => {
        const query = (req.query ?? {}) as Record<string, string | undefined>;
        if (access === 'closed') return res.status(401).send({ error: closedSourceMessage(source) } satisfies ErrorBody);
        if (access === 'token' && !tokenAllowed(bearerToken(req.headers, query))) {
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
        const refused = await admission.check();
        if (refused) return sendRefusal(res, refused);
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
        const replayKeys = o.replay && source.replayKeys ? source.replayKeys(intake) : [];
        if (o.replay && replayKeys.length > 0) {
          const guard = o.replay;
          const claim: { verdict?: 'first' | 'replayed' } = {};
          const refused = await admission.store(async () => {
            claim.verdict = await guard.claim(source.name, replayKeys);
          });
          if (refused) return sendRefusal(res, refused);
          if (claim.verdict === 'replayed') return res.status(200).send({ accepted: 0, duplicate: true });
        }
        const stored = await admission.store(async () => {
          const alerts = [...result.alerts];
          if (result.events.length > 0 && o.frequency) alerts.push(...(await o.frequency.observe(result.events, intake.receivedAt)));
          if (alerts.length > 0) await o.target.submit(source.name, alerts, intake.receivedAt.getTime());
        });
        if (stored) {
          if (replayKeys.length > 0) await o.replay!.release(source.name, replayKeys).catch(() => undefined);
          return sendRefusal(res, stored);
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
