/**
 * Building blocks shared by the intake schemas: bounded label and annotation maps, timestamps and
 * the size limits every format enforces.
 */
import { z } from 'zod';

export const DEFAULT_MAX_ALERTS = 10_000;
export const MAX_LABELS = 128;
export const MAX_LABEL_NAME = 256;
export const MAX_LABEL_VALUE = 8 * 1024;
export const MAX_ANNOTATIONS = 64;
export const MAX_ANNOTATION_VALUE = 64 * 1024;
/** Go's zero time: Alertmanager's `endsAt` while an alert fires with no known end. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

function boundedMap(maxEntries: number, maxValue: number, what: string) {
  return z
    .record(z.string().min(1, `${what} name is empty`).max(MAX_LABEL_NAME), z.string().max(maxValue))
    .check((ctx) => {
      let n = 0;
      for (const _ in ctx.value) n++;
      if (n > maxEntries) {
        ctx.issues.push({ code: 'custom', input: ctx.value, message: `more than ${maxEntries} ${what}s` });
      }
    });
}

/** Label set: at most 128 labels, names ≤ 256 characters, values ≤ 8 KiB. */
export const labelsSchema = boundedMap(MAX_LABELS, MAX_LABEL_VALUE, 'label');
/** Annotations: at most 64, values ≤ 64 KiB. */
export const annotationsSchema = boundedMap(MAX_ANNOTATIONS, MAX_ANNOTATION_VALUE, 'annotation');

/** An RFC 3339 timestamp (any precision, any offset, Go's zero time included). */
export const timestampSchema = z
  .string()
  .max(64)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not an RFC 3339 timestamp');

/** Normalises a timestamp to ISO 8601 UTC; Go's zero time and unparsable input give `undefined`. */
export function isoOrUndefined(s: string | undefined | null): string | undefined {
  if (!s) return undefined;
  const ms = Date.parse(s);
  if (Number.isNaN(ms) || ms <= 0) return undefined;
  return new Date(ms).toISOString();
}

/** A URL-ish link (http/https only, bounded), dropped when it is anything else. */
export function linkOrUndefined(s: string | undefined | null): string | undefined {
  if (!s || s.length > 4096) return undefined;
  return /^https?:\/\//i.test(s) ? s : undefined;
}
