/**
 * Building intake failures: zod issues become `{path, message}` with dotted/bracketed paths such as
 * `alerts[3].labels.severity`.
 */
import type { z } from 'zod';
import type { IntakeFailure, IntakeFailureStatus, IntakeIssue } from './types.ts';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** The path of problems with the body as a whole (same as the HTTP layer's own errors). */
export const BODY_PATH = '(body)';
const MAX_DETAILS = 50;

/** Renders a path like `alerts[3].labels["app.kubernetes.io/name"]`; the empty path is {@link BODY_PATH}. */
export function formatPath(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  let out = prefix;
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && IDENTIFIER.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out === '' ? BODY_PATH : out;
}

/**
 * An intake failure. `details` always has at least one entry (the body itself, {@link BODY_PATH}, when the
 * problem has no finer place) and is capped so a hostile body cannot make the answer huge.
 */
export function fail(status: IntakeFailureStatus, error: string, details?: IntakeIssue[]): IntakeFailure {
  if (!details || details.length === 0) return { ok: false, status, error, details: [{ path: BODY_PATH, message: error }] };
  return { ok: false, status, error, details: details.slice(0, MAX_DETAILS) };
}

/** A 400 listing every schema problem, paths prefixed with `prefix` (e.g. `items[2].payload`). */
export function invalid(error: string, zodError: z.core.$ZodError, prefix = ''): IntakeFailure {
  const details = zodError.issues.map((issue) => ({
    path: formatPath(issue.path, prefix),
    message: issue.code === 'invalid_key' && issue.issues[0] ? `invalid key: ${issue.issues[0].message}` : issue.message,
  }));
  return fail(400, error, details);
}

/** Moves a failure's body-level details ({@link BODY_PATH}) to `path`, e.g. `items[2].payload`. */
export function at(failure: IntakeFailure, path: string): IntakeFailure {
  const details = (failure.details ?? [{ path: BODY_PATH, message: failure.error }]).map((d) => ({
    path: d.path === BODY_PATH ? path : d.path,
    message: d.message,
  }));
  return { ...failure, details };
}
