import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { apiIdentity, requireApiToken, type ApiAuth } from '../core/api-auth.ts';
import type { ErrorBody, HttpPlugin } from '../core/http.ts';
import type { Logger } from '../core/logger.ts';
import type { AlertsConfig } from './config-schema.ts';
import { parseDuration } from './duration.ts';
import type { AlertPipeline } from './pipeline/index.ts';
import { SilenceRefused } from './silences.ts';

const silenceBody = z
  .strictObject({
    matchers: z.array(z.string().min(1)).min(1),
    /** Either a duration from now (`2h`) or an end time. */
    duration: z.string().optional(),
    endsAt: z.iso.datetime({ offset: true }).optional(),
    startsAt: z.iso.datetime({ offset: true }).optional(),
    comment: z.string().max(2000).default(''),
    /** Allow a silence that matches everything: admin tokens only. */
    all: z.boolean().default(false),
  })
  .refine((b) => Boolean(b.duration) !== Boolean(b.endsAt), { message: 'give either duration or endsAt', path: ['duration'] });

/** One create/expire/ack done through the API, with the identity of the token that did it. */
export interface ApiAuditEntry {
  by: string;
  action: 'silence' | 'unsilence' | 'ack';
  args: string[];
  result: 'ok' | 'refused';
  reason?: string;
  at: Date;
}

/**
 * The alert hub's own API: deliveries of an alert (what `firstmate send-test-alert` polls), open
 * incidents and acks, silences, failed deliveries. Every route needs an API token (`auth`,
 * the shared `requireApiToken` hook); who did something is the token's name, never a field of the
 * request. While Redis is unreachable every route answers 503 with Retry-After within
 * `limits.redisTimeout`.
 */
export function createAlertApiRoutes(o: {
  pipeline: Pick<AlertPipeline, 'incidents' | 'silences' | 'available'>;
  auth: ApiAuth;
  limits: AlertsConfig['limits'];
  logger: Logger;
  /** Records silence creates/expires and acks (the audit log). */
  audit?: (entry: ApiAuditEntry) => Promise<void>;
}): HttpPlugin {
  const { incidents, silences } = o.pipeline;
  const { limits } = o;
  const audit = async (entry: ApiAuditEntry) => {
    o.logger.info({ audit: entry }, 'api action');
    await o.audit?.(entry);
  };
  const unavailable = (res: FastifyReply) =>
    res
      .status(503)
      .header('retry-after', String(limits.retryAfterSeconds))
      .send({ error: 'the alert hub cannot reach Redis; retry later' } satisfies ErrorBody);
  return (app: FastifyInstance) => {
    requireApiToken(app, o.auth);
    app.addHook('onRequest', async (_req, res) => {
      if (!o.pipeline.available()) return unavailable(res);
    });
    // A Redis that stops answering without closing the connection still gets a bounded answer.
    app.addHook('onRequest', async (_req, res) => {
      const timer = setTimeout(() => {
        if (!res.sent) void unavailable(res);
      }, limits.redisTimeout);
      res.raw.once('close', () => clearTimeout(timer));
    });
    const invalid = (err: z.ZodError): ErrorBody => ({
      error: 'invalid request',
      details: err.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })),
    });

    app.get<{ Params: { fingerprint: string } }>('/api/alerts/:fingerprint/deliveries', async (req) => ({
      deliveries: await incidents.deliveries(req.params.fingerprint),
    }));
    app.get('/api/incidents', async () => ({ incidents: (await incidents.open()).map(({ last: _last, ...rest }) => rest) }));
    app.post<{ Params: { ref: string } }>('/api/incidents/:ref/ack', async (req, res) => {
      if (req.body !== undefined && req.body !== null && Object.keys(req.body as object).length > 0)
        return res.status(400).send({
          error: 'invalid request',
          details: [{ path: '(body)', message: 'ack takes no body: who acks is the name of the API token' }],
        } satisfies ErrorBody);
      const by = apiIdentity(req).name;
      const result = await incidents.ack(req.params.ref, by);
      if (!result.ok)
        return res
          .status(result.reason === 'unknown' ? 404 : 409)
          .send({ error: result.reason === 'unknown' ? 'no such incident' : 'the incident is already resolved' } satisfies ErrorBody);
      await audit({ by, action: 'ack', args: [result.incident.ref], result: 'ok', at: new Date() });
      return { acked: { ref: result.incident.ref, by } };
    });
    app.get('/api/deliveries/failed', async () => ({ failed: await incidents.failed(100) }));
    app.get('/api/silences', async () => ({ silences: await silences.list() }));
    app.post('/api/silences', async (req, res) => {
      const body = silenceBody.safeParse(req.body);
      if (!body.success) return res.status(400).send(invalid(body.error));
      const b = body.data;
      const identity = apiIdentity(req);
      if (b.all && identity.role !== 'admin') return res.status(403).send({ error: '`all` needs an admin API token' } satisfies ErrorBody);
      try {
        const startsAt = b.startsAt ? new Date(b.startsAt) : new Date();
        const endsAt = b.endsAt ? new Date(b.endsAt) : new Date(startsAt.getTime() + parseDuration(b.duration ?? ''));
        const s = await silences.create({
          matchers: b.matchers,
          startsAt,
          endsAt,
          createdBy: identity.name,
          comment: b.comment,
          all: b.all,
        });
        await audit({ by: identity.name, action: 'silence', args: [s.id, ...b.matchers], result: 'ok', at: new Date() });
        return res.status(201).send({ silence: s });
      } catch (err) {
        const message = (err as Error).message;
        if (err instanceof SilenceRefused) {
          await audit({ by: identity.name, action: 'silence', args: b.matchers, result: 'refused', reason: message, at: new Date() });
          return res.status(422).send({ error: 'silence refused', details: [{ path: '(body)', message }] } satisfies ErrorBody);
        }
        return res.status(400).send({ error: 'invalid silence', details: [{ path: '(body)', message }] } satisfies ErrorBody);
      }
    });
    app.delete<{ Params: { id: string } }>('/api/silences/:id', async (req, res) => {
      const by = apiIdentity(req).name;
      const s = await silences.expire(req.params.id, by);
      if (!s) return res.status(404).send({ error: 'no such silence' } satisfies ErrorBody);
      await audit({ by, action: 'unsilence', args: [s.id], result: 'ok', at: new Date() });
      return { silence: s };
    });
  };
}
