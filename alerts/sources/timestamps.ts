/**
 * Timestamps as intake formats send them, read once. The compiled validators check a timestamp
 * and the normalisation right after needs the same reading, and the alerts of one delivery
 * mostly share theirs (one rule evaluation's `endsAt`, one start): each distinct text is parsed
 * once and its reading remembered (see `core/memo.ts`).
 */
import { memoize } from '../../core/memo.ts';

/** A timestamp normalised: ISO 8601 UTC with milliseconds, and the same as epoch ms. */
export interface Timestamp {
  readonly iso: string;
  readonly ms: number;
}

/** RFC 3339 in UTC as Go and Prometheus print it; groups: date-time, fraction. Checked without `Date`. */
const RFC3339_UTC = /^(\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60))(?:\.(\d{1,9}))?Z$/;

/** Whether the day exists in its month (only days after the 28th need a look). */
function dayExists(dateTime: string): boolean {
  const day = Number(dateTime.slice(8, 10));
  if (day <= 28) return true;
  return day <= new Date(Date.UTC(Number(dateTime.slice(0, 4)), Number(dateTime.slice(5, 7)), 0)).getUTCDate();
}

/** What a timestamp text is: whether it is one at all, and its normalised value when it has one. */
interface Reading {
  valid: boolean;
  at: Timestamp | undefined;
}

const normalised = (iso: string): Timestamp => ({ iso, ms: Date.parse(iso) });

function read(s: string): Reading {
  const m = RFC3339_UTC.exec(s);
  if (m?.[1]) {
    if (!dayExists(m[1])) return { valid: false, at: undefined };
    return { valid: true, at: m[1] < '1970' ? undefined : normalised(`${m[1]}.${`${m[2] ?? ''}000`.slice(0, 3)}Z`) };
  }
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return { valid: false, at: undefined };
  return { valid: true, at: ms <= 0 ? undefined : normalised(new Date(ms).toISOString()) };
}

/** Texts longer than any timestamp are read without being remembered. */
const MAX_REMEMBERED_LENGTH = 64;
const readRemembered = memoize(read, 4096);
const reading = (s: string): Reading => (s.length <= MAX_REMEMBERED_LENGTH ? readRemembered(s) : read(s));

/** Whether `s` is a timestamp the intake schemas take: RFC 3339 (any precision, any offset, Go's zero time included). */
export function validTimestamp(s: string): boolean {
  return reading(s).valid;
}

/**
 * A timestamp normalised; Go's zero time (any year before 1970) and unparsable input give
 * `undefined`. The common UTC form is rewritten without `Date`.
 */
export function timestampOf(s: string | undefined | null): Timestamp | undefined {
  return s ? reading(s).at : undefined;
}

/** {@link timestampOf}'s ISO 8601 form. */
export function isoOrUndefined(s: string | undefined | null): string | undefined {
  return timestampOf(s)?.iso;
}
