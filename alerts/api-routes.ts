import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ErrorBody, HttpPlugin } from '../core/http.ts';
import { bearerToken, tokenAllowed } from './auth.ts';
import { parseDuration } from './duration.ts';
import type { AlertPipeline } from './pipeline/index.ts';

const silenceBody = z
  .strictObject({
    matchers: z.array(z.string().min(1)).min(1),
    /** Either a duration from now (`2h`) or an end time. */
    duration: z.string().optional(),
    endsAt: z.iso.datetime({ offset: true }).optional(),
    startsAt: z.iso.datetime({ offset: true }).optional(),
    createdBy: z.string().min(1).max(200),
    comment: z.string().max(2000).default(''),
  })
  .refine((b) => Boolean(b.duration) !== Boolean(b.endsAt), { message: 'give either duration or endsAt', path: ['duration'] });

const ackBody = z.strictObject({ by: z.string().min(1).max(200) });

/**
 * The alert hub's own API: deliveries of an alert (what `firstmate send-test-alert` polls), open
 * incidents and acks, silences, failed deliveries. Bearer tokens from `alerts.apiTokens`.
 */
export function createAlertApiRoutes(o: {
  pipeline: Pick<AlertPipeline, 'incidents' | 'silences'>;
  tokens: readonly string[];
}): HttpPlugin {
  const { incidents, silences } = o.pipeline;
  return (app: FastifyInstance) => {
    app.addHook('onRequest', async (req, res) => {
      if (!tokenAllowed(o.tokens, bearerToken(req.headers, (req.query ?? {}) as Record<string, unknown>))) {
        return res
          .status(401)
          .header('www-authenticate', 'Bearer')
          .send({ error: 'missing or wrong bearer token' } satisfies ErrorBody);
      }
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
      const body = ackBody.safeParse(req.body);
      if (!body.success) return res.status(400).send(invalid(body.error));
      const result = await incidents.ack(req.params.ref, body.data.by);
      if (!result.ok)
        return res
          .status(result.reason === 'unknown' ? 404 : 409)
          .send({ error: result.reason === 'unknown' ? 'no such incident' : 'the incident is already resolved' } satisfies ErrorBody);
      return { acked: { ref: result.incident.ref, by: body.data.by } };
    });
    app.get('/api/deliveries/failed', async () => ({ failed: await incidents.failed(100) }));
    app.get('/api/silences', async () => ({ silences: await silences.list() }));
    app.post('/api/silences', async (req, res) => {
      const body = silenceBody.safeParse(req.body);
      if (!body.success) return res.status(400).send(invalid(body.error));
      const b = body.data;
      try {
        const startsAt = b.startsAt ? new Date(b.startsAt) : new Date();
        const endsAt = b.endsAt ? new Date(b.endsAt) : new Date(startsAt.getTime() + parseDuration(b.duration ?? ''));
        const s = await silences.create({ matchers: b.matchers, startsAt, endsAt, createdBy: b.createdBy, comment: b.comment });
        return res.status(201).send({ silence: s });
      } catch (err) {
        return res
          .status(400)
          .send({ error: 'invalid silence', details: [{ path: '(body)', message: (err as Error).message }] } satisfies ErrorBody);
      }
    });
    app.delete<{ Params: { id: string }; Querystring: { by?: string } }>('/api/silences/:id', async (req, res) => {
      const s = await silences.expire(req.params.id, req.query.by ?? 'api');
      if (!s) return res.status(404).send({ error: 'no such silence' } satisfies ErrorBody);
      return { silence: s };
    });
  };
}
