import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody } from './http.ts';

/** A named API token: `name` is the identity every action taken with the token is recorded under. */
export interface ApiToken {
  name: string;
  token: string;
  /** What the token may do beyond the API's ordinary actions (`admin`); default none. */
  role?: string;
}

/** Who a request acts as: the configured name of its token, or `anonymous` on an open API. */
export interface ApiIdentity {
  name: string;
  /** False when the API is open and the request carried no (known) token. */
  authenticated: boolean;
  role?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by {@link requireApiToken} on every route of the scopes it guards. */
    apiIdentity: ApiIdentity | null;
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The bearer token of a request: `Authorization: Bearer …`, else `?token=`. */
export function bearerToken(headers: Record<string, string | string[] | undefined>, query: Record<string, unknown>): string | undefined {
  const auth = headers.authorization;
  const value = Array.isArray(auth) ? auth[0] : auth;
  const m = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  if (m) return m[1];
  return typeof query.token === 'string' && query.token ? query.token : undefined;
}

/**
 * The check of `given` against `tokens`, built once: answers the token `given` equals, compared
 * in constant time (hashes of equal length, every token checked, so the time does not tell which
 * token or how much of one matched). The tokens are hashed here, so a check hashes `given` alone.
 */
export function tokenMatcher<T extends { token: string }>(tokens: readonly T[]): (given: string | undefined) => T | undefined {
  const hashed = tokens.map((t) => ({ t, digest: digest(t.token) }));
  return (given) => {
    if (!given) return undefined;
    const g = digest(given);
    let found: T | undefined;
    for (const h of hashed) if (timingSafeEqual(h.digest, g) && !found) found = h.t;
    return found;
  };
}

/** The API token check as one object, built once and applied to every scope it guards. */
export interface ApiAuth {
  /** True when requests without a token are let through (as `anonymous`). */
  readonly open: boolean;
  /** The identity of a request, or undefined when it must be refused. */
  identify(req: Pick<FastifyRequest, 'headers' | 'query'>): ApiIdentity | undefined;
}

/**
 * Builds the API token check. With tokens configured, a request needs one of them (even when
 * `open`); with none, the API is closed unless `open` is set, and then everyone is `anonymous`.
 */
export function createApiAuth(o: { tokens: readonly ApiToken[]; open: boolean }): ApiAuth {
  const match = tokenMatcher([...o.tokens]);
  const open = o.open && o.tokens.length === 0;
  return {
    open,
    identify(req) {
      const token = match(bearerToken(req.headers, (req.query ?? {}) as Record<string, unknown>));
      if (token) return { name: token.name, authenticated: true, ...(token.role ? { role: token.role } : {}) };
      return open ? { name: 'anonymous', authenticated: false } : undefined;
    },
  };
}

/**
 * Guards every route of the fastify scope `app` (and its children) with `auth`: 401 with
 * `WWW-Authenticate: Bearer` without a valid token, else `req.apiIdentity` is set. `/api/*`,
 * and by configuration `/metrics` and `/kb`, go through this one hook.
 */
export function requireApiToken(app: FastifyInstance, auth: ApiAuth): void {
  if (!app.hasRequestDecorator('apiIdentity')) app.decorateRequest('apiIdentity', null);
  app.addHook('onRequest', async (req: FastifyRequest, res: FastifyReply) => {
    const identity = auth.identify(req);
    if (!identity) {
      const body: ErrorBody = { error: 'missing or wrong API token (see the Security section of the README)' };
      return res.status(401).header('www-authenticate', 'Bearer').send(body);
    }
    req.apiIdentity = identity;
  });
}

/** The identity {@link requireApiToken} set on the request; throws when the route is not guarded. */
export function apiIdentity(req: FastifyRequest): ApiIdentity {
  if (!req.apiIdentity) throw new Error(`route ${req.routeOptions.url ?? req.url} is not guarded by requireApiToken`);
  return req.apiIdentity;
}
