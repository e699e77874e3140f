import { createHash, timingSafeEqual } from 'node:crypto';

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
 * True when `given` equals one of `tokens`, compared in constant time (hashes of equal length,
 * every token checked). No tokens configured means the route is open.
 */
export function tokenAllowed(tokens: readonly string[], given: string | undefined): boolean {
  if (tokens.length === 0) return true;
  if (!given) return false;
  const g = digest(given);
  let ok = false;
  for (const t of tokens) ok = timingSafeEqual(digest(t), g) || ok;
  return ok;
}
