/**
 * Building blocks shared by the intake schemas: bounded label and annotation maps, timestamps and
 * the size limits every format enforces.
 */
import { z } from 'zod';
import type { AlertLinks } from '../model.ts';
import { validTimestamp } from './timestamps.ts';

export { isoOrUndefined, timestampOf, validTimestamp } from './timestamps.ts';

export const DEFAULT_MAX_ALERTS = 10_000;
export const MAX_LABELS = 128;
export const MAX_LABEL_NAME = 256;
export const MAX_LABEL_VALUE = 8 * 1024;
export const MAX_ANNOTATIONS = 64;
export const MAX_ANNOTATION_VALUE = 64 * 1024;
/** Go's zero time: Alertmanager's `endsAt` while an alert fires with no known end. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/**
 * A string-to-string map with bounded size, checked by hand: a zod record costs ~20x more per entry,
 * and label maps are the bulk of every delivery. Issues carry the key in their path.
 */
function boundedMap(maxEntries: number, maxValue: number, what: string) {
  return z.custom<Record<string, string>>().check((ctx) => {
    const v = ctx.value as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      ctx.issues.push({
        code: 'invalid_type',
        expected: 'record',
        input: v,
        message: `Invalid input: expected an object of ${what}s, received ${typeName(v)}`,
      });
      return;
    }
    const keys = Object.keys(v);
    if (keys.length > maxEntries) {
      ctx.issues.push({ code: 'custom', input: v, message: `more than ${maxEntries} ${what}s` });
      return;
    }
    for (const k of keys) {
      const x = (v as Record<string, unknown>)[k];
      if (k.length === 0 || k.length > MAX_LABEL_NAME) {
        ctx.issues.push({ code: 'custom', input: k, path: [k], message: `${what} name must have 1 to ${MAX_LABEL_NAME} characters` });
      } else if (typeof x !== 'string') {
        ctx.issues.push({
          code: 'invalid_type',
          expected: 'string',
          input: x,
          path: [k],
          message: `Invalid input: expected string, received ${typeName(x)}`,
        });
      } else if (x.length > maxValue) {
        ctx.issues.push({
          code: 'too_big',
          origin: 'string',
          maximum: maxValue,
          inclusive: true,
          input: x,
          path: [k],
          message: `Too big: expected string to have <=${maxValue} characters`,
        });
      }
    }
  });
}

/** Label set: at most 128 labels, names ≤ 256 characters, values ≤ 8 KiB. */
export const labelsSchema = boundedMap(MAX_LABELS, MAX_LABEL_VALUE, 'label');
/** Annotations: at most 64, values ≤ 64 KiB. */
export const annotationsSchema = boundedMap(MAX_ANNOTATIONS, MAX_ANNOTATION_VALUE, 'annotation');

/** An RFC 3339 timestamp (any precision, any offset, Go's zero time included). */
export const timestampSchema = z.string().max(64).refine(validTimestamp, 'not an RFC 3339 timestamp');

/** A URL-ish link (http/https only, bounded), dropped when it is anything else. */
export function linkOrUndefined(s: string | undefined | null): string | undefined {
  if (!s || s.length > 4096) return undefined;
  return /^https?:\/\//i.test(s) ? s : undefined;
}

/** The links of a Prometheus alert: its generator URL and the runbook its annotations name. */
export function prometheusLinks(generatorURL: string | undefined, annotations: Record<string, string>): AlertLinks {
  const links: AlertLinks = {};
  const generator = linkOrUndefined(generatorURL);
  if (generator) links.generator = generator;
  const runbook = linkOrUndefined(annotations.runbook_url ?? annotations.runbook);
  if (runbook) links.runbook = runbook;
  return links;
}
