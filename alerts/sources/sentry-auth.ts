/**
 * Sentry SDK credentials: the public DSN key from `X-Sentry-Auth` (or `Authorization: Sentry …`),
 * the `sentry_key` query parameter, or the envelope header's `dsn`, checked against the configured
 * project keys in constant time.
 */
import { timingSafeEqual } from 'node:crypto';
import { headerValue } from './body.ts';
import { fail } from './issues.ts';
import type { IntakeFailure, IntakeRequest, SourceOptions } from './types.ts';

/** Fields of a `Sentry sentry_key=…, sentry_version=7, …` header. */
export function parseSentryAuthHeader(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value) return out;
  const body = value.replace(/^\s*sentry\s+/i, '');
  for (const part of body.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k && k !== '__proto__') out[k] = v;
  }
  return out;
}

/** The public key in a DSN (`https://<key>@host/<project>`), if any. */
export function keyFromDsn(dsn: unknown): string | undefined {
  if (typeof dsn !== 'string' || dsn.length > 2048) return undefined;
  try {
    const url = new URL(dsn);
    return url.username ? decodeURIComponent(url.username) : undefined;
  } catch {
    return undefined;
  }
}

/** The key the request itself carries (header first, then query). */
export function requestKey(req: IntakeRequest): string | undefined {
  const auth = headerValue(req.headers, 'x-sentry-auth');
  const authorization = headerValue(req.headers, 'authorization');
  const fromHeader =
    parseSentryAuthHeader(auth).sentry_key ??
    (authorization && /^\s*sentry\s/i.test(authorization) ? parseSentryAuthHeader(authorization).sentry_key : undefined);
  return fromHeader || req.query.sentry_key || undefined;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `undefined` when the key may deliver to the project, else a 401. */
export function checkSentryKey(projectId: string, key: string | undefined, options: SourceOptions): IntakeFailure | undefined {
  const projects = options.sentryProjects;
  if (!projects || Object.keys(projects).length === 0) return undefined;
  const project = Object.hasOwn(projects, projectId) ? projects[projectId] : undefined;
  if (!project) return fail(401, `unknown Sentry project "${projectId.slice(0, 64)}"`);
  if (!key) return fail(401, 'missing Sentry key (X-Sentry-Auth, sentry_key or envelope dsn)');
  let ok = false;
  for (const k of project.keys) if (safeEqual(k, key)) ok = true;
  return ok ? undefined : fail(401, 'invalid Sentry key for this project');
}
