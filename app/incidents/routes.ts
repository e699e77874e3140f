/**
 * `GET /incidents` (with `?matchers=…&duration=…` it previews a silence), `POST
 * /incidents/silences` (creates one) and `POST /incidents/silences/:id/expire`. Every route asks
 * `authorize` first: the same tokens as the API, given as `Authorization: Bearer` or `?token=`
 * (the page's forms post to URLs that carry it). Forms are posted url-encoded; the answer to a
 * post is a redirect back.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseDuration } from '../../alerts/duration.ts';
import { parseMatchers } from '../../alerts/matchers.ts';
import type { HttpPlugin } from '../../core/http.ts';
import { tokenize } from '../../core/tokenize.ts';
import { escapeHtml, sendPage } from '../../core/web-page.ts';
import { incidentsPageData, silencePreview, type IncidentsSources } from './data.ts';
import { incidentsPage, type SilenceDraft } from './page.ts';

/** Who is looking: the name actions are recorded under, and whether they see the audit tail. */
export interface PageViewer {
  name: string;
  admin: boolean;
}

export interface IncidentsRoutesOptions {
  sources: IncidentsSources;
  /** The viewer for a request with this token (undefined: refused). */
  authorize(token: string | undefined): PageViewer | undefined;
  timeZone?: string;
  publicUrl(): string;
  /** Longest silence the page creates. */
  maxSilenceMs?: number;
}

const html = (reply: FastifyReply, status: number, body: string) => sendPage(reply, status, body, { noStore: true });

const str = (v: unknown, max = 2000): string => (typeof v === 'string' ? v.slice(0, max) : Array.isArray(v) ? str(v[0], max) : '');

/** The token of a request: `Authorization: Bearer`, else `?token=` (forms post to URLs carrying it). */
function tokenOf(req: FastifyRequest): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (m) return m[1];
  return str((req.query as Record<string, unknown> | undefined)?.token, 512) || undefined;
}

function backTo(token: string | undefined, extra: Record<string, string>): string {
  const q = new URLSearchParams({ ...extra, ...(token ? { token } : {}) });
  return `/incidents?${q.toString()}`;
}

export function createIncidentsRoutes(o: IncidentsRoutesOptions): HttpPlugin {
  const maxMs = o.maxSilenceMs ?? 30 * 86_400_000;
  /** Parses the form's matchers and duration; answers what is wrong in words. */
  const readDraft = (fields: Record<string, unknown>): { draft: SilenceDraft; ok?: { matchers: string[]; ms: number } } => {
    const draft: SilenceDraft = {
      matchers: str(fields.matchers).trim(),
      duration: str(fields.duration, 20).trim() || '2h',
      comment: str(fields.comment).trim(),
    };
    try {
      const words = tokenize(draft.matchers);
      if (words.length === 0) throw new Error('give at least one matcher, e.g. alertname=KubePodCrashLooping');
      parseMatchers(words);
      let ms: number;
      try {
        ms = parseDuration(draft.duration);
      } catch (err) {
        throw new Error(`duration: ${(err as Error).message}`, { cause: err });
      }
      if (ms <= 0 || ms > maxMs)
        throw new Error(`a silence lasts between 1s and ${Math.round(maxMs / 86_400_000)}d, not ${draft.duration}`);
      return { draft, ok: { matchers: words, ms } };
    } catch (err) {
      return { draft: { ...draft, error: (err as Error).message } };
    }
  };

  return (app: FastifyInstance) => {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    const viewerOf = (req: FastifyRequest) => o.authorize(tokenOf(req));
    // The icon link keeps browsers from asking for /favicon.ico (a 404) on the refusal page.
    const refuse = (reply: FastifyReply) =>
      html(
        reply.header('www-authenticate', 'Bearer'),
        401,
        '<!doctype html><title>firstmate</title><link rel="icon" href="data:,"><p>This page needs an API token: add <code>?token=…</code> to the address.</p>',
      );

    app.get('/incidents', async (req, reply) => {
      const viewer = viewerOf(req);
      if (!viewer) return refuse(reply);
      const query = (req.query ?? {}) as Record<string, unknown>;
      const data = await incidentsPageData(o.sources, { admin: viewer.admin });
      let draft: SilenceDraft | undefined;
      if (str(query.matchers)) {
        const read = readDraft(query);
        draft = read.ok ? { ...read.draft, matches: silencePreview(data.incidents, parseMatchers(read.ok.matchers)) } : read.draft;
      }
      const created = str(query.created, 16);
      const expired = str(query.expired, 16);
      const notice = created ? `Silence ${created} created.` : expired ? `Silence ${expired} expired.` : undefined;
      const token = str(query.token, 512) || undefined;
      return html(
        reply,
        200,
        incidentsPage(data, {
          viewer: viewer.name,
          publicUrl: o.publicUrl(),
          ...(o.timeZone && { timeZone: o.timeZone }),
          ...(token && { token }),
          ...(draft && { draft }),
          ...(notice && { notice }),
        }),
      );
    });

    app.post('/incidents/silences', async (req, reply) => {
      const viewer = viewerOf(req);
      if (!viewer) return refuse(reply);
      const fields = (req.body ?? {}) as Record<string, unknown>;
      const read = readDraft(fields);
      const token = str((req.query as Record<string, unknown> | undefined)?.token, 512) || undefined;
      if (!read.ok)
        return reply.redirect(
          backTo(token, { matchers: read.draft.matchers, duration: read.draft.duration, comment: read.draft.comment }),
          303,
        );
      try {
        const s = await o.sources.silences.create({
          matchers: read.ok.matchers,
          endsAt: new Date(Date.now() + read.ok.ms),
          createdBy: viewer.name,
          comment: read.draft.comment,
        });
        return reply.redirect(backTo(token, { created: s.id }), 303);
      } catch (err) {
        return html(reply, 400, `<!doctype html><title>firstmate</title><p>${escapeHtml((err as Error).message)}</p>`);
      }
    });

    app.post<{ Params: { id: string } }>('/incidents/silences/:id/expire', async (req, reply) => {
      const viewer = viewerOf(req);
      if (!viewer) return refuse(reply);
      const token = str((req.query as Record<string, unknown> | undefined)?.token, 512) || undefined;
      const s = await o.sources.silences.expire(req.params.id.slice(0, 16), viewer.name);
      if (!s) return html(reply, 404, '<!doctype html><title>firstmate</title><p>No such silence.</p>');
      return reply.redirect(backTo(token, { expired: s.id }), 303);
    });
  };
}
