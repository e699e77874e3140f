/**
 * Sentry-style grouping: an explicit `fingerprint` (with `{{ default }}` and a few other variables
 * expanded), else the type and value of the last exception, else the message, else the title.
 * Numbers, hex ids, UUIDs and IPs in messages are parameterised the way Sentry does, so
 * "Killed process 4242 (java)" and "Killed process 4243 (java)" are one issue.
 */
import { createHash } from 'node:crypto';

/** What grouping looks at, already extracted from the event. */
export interface GroupingInput {
  projectId: string;
  fingerprint?: string[];
  exceptionType?: string;
  exceptionValue?: string;
  /** The message template when there is one (`logentry.message`), else the formatted message. */
  message?: string;
  title: string;
  transaction?: string;
  level: string;
  tags: Record<string, string>;
}

const PARAMS: Array<[RegExp, string]> = [
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b/g, '<ip>'],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  [/\b[0-9a-f]{16,}\b/gi, '<hex>'],
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?\b/g, '<date>'],
  [/\b\d+(?:\.\d+)?\b/g, '<int>'],
];

/** Replaces volatile parts of a message (ids, numbers, addresses) with placeholders. */
export function parameterize(text: string): string {
  let out = text.length > 2048 ? text.slice(0, 2048) : text;
  for (const [re, token] of PARAMS) out = out.replace(re, token);
  return out;
}

/** The components Sentry's default grouping would use for this event. */
export function defaultGrouping(input: GroupingInput): string[] {
  if (input.exceptionType || input.exceptionValue) {
    return ['exception', input.exceptionType ?? '', parameterize(input.exceptionValue ?? '')];
  }
  if (input.message) return ['message', parameterize(input.message)];
  return ['title', parameterize(input.title)];
}

const VARIABLE = /^\{\{\s*([\w.-]+)\s*\}\}$/;

function expandVariable(name: string, input: GroupingInput): string[] {
  const key = name.toLowerCase();
  if (key === 'default') return defaultGrouping(input);
  if (key === 'transaction') return [input.transaction ?? '<no-transaction>'];
  if (key === 'level') return [input.level];
  if (key === 'message') return [input.message ?? '<no-message>'];
  if (key === 'type' || key === 'error.type') return [input.exceptionType ?? '<no-type>'];
  if (key === 'error.value') return [input.exceptionValue ?? '<no-value>'];
  if (key.startsWith('tags.')) return [input.tags[name.slice(5)] ?? '<no-value>'];
  return [`{{ ${name} }}`];
}

/** Grouping components after fingerprint expansion. */
export function groupingOf(input: GroupingInput): string[] {
  if (!input.fingerprint || input.fingerprint.length === 0) return defaultGrouping(input);
  const out: string[] = [];
  for (const part of input.fingerprint) {
    const m = VARIABLE.exec(part);
    if (m?.[1]) out.push(...expandVariable(m[1], input));
    else out.push(part);
  }
  return out;
}

/** Stable 16-hex-digit key of a project's group; the same shape as alert fingerprints. */
export function groupKeyOf(projectId: string, grouping: string[]): string {
  const h = createHash('sha256');
  h.update(projectId);
  for (const part of grouping) h.update('\u0000').update(part);
  return h.digest('hex').slice(0, 16);
}
