/**
 * Sentry SDK events (the `event` envelope item, or the body of the legacy store endpoint): a lenient
 * schema for the fields we use (SDKs send many more, and `null` for absent ones) and the
 * normalisation to {@link SentryEvent}.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { subjectFromLabels } from './subject.ts';
import { groupKeyOf, groupingOf } from './sentry-grouping.ts';
import type { SentryEvent, SentryLevel } from './types.ts';

const MAX_TEXT = 64 * 1024;
const text = (max = 1024) => z.string().max(max).nullish();
const scalar = z.union([z.string().max(MAX_TEXT), z.number(), z.boolean(), z.null()]);

const exceptionValueSchema = z.object({
  type: text(1024),
  value: text(MAX_TEXT),
  module: text(1024),
});

const messageObject = z.object({ message: text(MAX_TEXT), formatted: text(MAX_TEXT) });

export const sentryEventSchema = z.object({
  event_id: z
    .string()
    .regex(/^[0-9a-f]{32}$|^[0-9a-f-]{36}$/i, 'expected a 32-digit hex event id')
    .nullish(),
  type: text(64),
  level: text(32),
  message: z.union([z.string().max(MAX_TEXT), messageObject]).nullish(),
  logentry: messageObject.nullish(),
  exception: z
    .union([z.object({ values: z.array(exceptionValueSchema).max(256).nullish() }), z.array(exceptionValueSchema).max(256)])
    .nullish(),
  fingerprint: z
    .array(z.union([z.string().max(1024), z.number()]))
    .max(64)
    .nullish(),
  tags: z.union([z.record(z.string().max(256), scalar), z.array(z.tuple([z.string().max(256), scalar])).max(512)]).nullish(),
  environment: text(512),
  release: text(512),
  platform: text(64),
  server_name: text(1024),
  transaction: text(2048),
  culprit: text(2048),
  timestamp: z.union([z.number(), z.string().max(64)]).nullish(),
  contexts: z.record(z.string().max(256), z.unknown()).nullish(),
});

export type RawSentryEvent = z.infer<typeof sentryEventSchema>;

const LEVELS: Record<string, SentryLevel> = {
  fatal: 'fatal',
  critical: 'fatal',
  error: 'error',
  warning: 'warning',
  warn: 'warning',
  info: 'info',
  log: 'info',
  debug: 'debug',
  trace: 'debug',
};

export function levelOf(raw: string | null | undefined): SentryLevel {
  return LEVELS[(raw ?? '').toLowerCase()] ?? 'error';
}

const CONTEXTS = ['os', 'runtime', 'app', 'device', 'trace', 'cloud_resource', 'k8s'];

function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length > 256 ? v.slice(0, 256) : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Scalar fields (at most 20) of the well-known contexts. */
export function contextsSubset(contexts: Record<string, unknown> | null | undefined): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  if (!contexts) return out;
  for (const name of CONTEXTS) {
    const ctx = contexts[name];
    if (!ctx || typeof ctx !== 'object' || Array.isArray(ctx)) continue;
    const fields: Record<string, string> = {};
    let n = 0;
    for (const [k, v] of Object.entries(ctx as Record<string, unknown>)) {
      const s = scalarText(v);
      if (s === undefined) continue;
      fields[k] = s;
      if (++n >= 20) break;
    }
    out[name] = fields;
  }
  return out;
}

function tagsOf(tags: RawSentryEvent['tags']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!tags) return out;
  const entries = Array.isArray(tags) ? tags : Object.entries(tags);
  for (const [k, v] of entries) {
    const s = scalarText(v);
    if (s !== undefined && k !== '') out[k] = s;
  }
  return out;
}

function timestampOf(ts: RawSentryEvent['timestamp'], receivedAt: Date): string {
  const ms = typeof ts === 'number' ? ts * 1000 : typeof ts === 'string' ? Date.parse(ts) : NaN;
  if (!Number.isFinite(ms) || ms <= 0 || ms > 8.64e15) return receivedAt.toISOString();
  return new Date(ms).toISOString();
}

function firstLine(s: string, max = 256): string {
  const line = s.split('\n', 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function messageOf(e: RawSentryEvent): { template?: string; formatted?: string } {
  const m = e.message;
  const formatted =
    e.logentry?.formatted ??
    (typeof m === 'string' ? m : m?.formatted) ??
    e.logentry?.message ??
    (typeof m === 'object' ? m?.message : undefined);
  const template = e.logentry?.message ?? (typeof m === 'object' ? m?.message : undefined) ?? formatted;
  return { template: template ?? undefined, formatted: formatted ?? undefined };
}

/** A random-free event id for events that carry none: a hash of what identifies them. */
export function derivedEventId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

/**
 * Normalises a validated event; `undefined` for events that are not errors or messages
 * (transactions and other typed events).
 */
export function normaliseSentryEvent(e: RawSentryEvent, projectId: string, receivedAt: Date): SentryEvent | undefined {
  if (e.type && e.type !== 'error' && e.type !== 'default') return undefined;
  const values = Array.isArray(e.exception) ? e.exception : (e.exception?.values ?? []);
  const last = values.at(-1);
  const exceptionType = last?.type ?? undefined;
  const exceptionValue = last?.value ?? undefined;
  const { template, formatted } = messageOf(e);
  const title =
    exceptionType || exceptionValue
      ? firstLine([exceptionType, exceptionValue].filter(Boolean).join(': '))
      : formatted
        ? firstLine(formatted)
        : '<unlabeled event>';
  const level = levelOf(e.level);
  const tags = tagsOf(e.tags);
  const transaction = e.transaction ?? undefined;
  const grouping = groupingOf({
    projectId,
    title,
    level,
    tags,
    exceptionType,
    exceptionValue,
    message: template,
    transaction,
    fingerprint: e.fingerprint?.map(String),
  });
  const timestamp = timestampOf(e.timestamp, receivedAt);
  const event: SentryEvent = {
    projectId,
    groupKey: groupKeyOf(projectId, grouping),
    grouping,
    eventId: (e.event_id ?? derivedEventId(projectId, timestamp, title)).replaceAll('-', '').toLowerCase(),
    title,
    level,
    timestamp,
    tags,
    contexts: contextsSubset(e.contexts),
    subject: subjectFromLabels(tags),
  };
  if (formatted && formatted !== title) event.message = formatted.slice(0, 4096);
  if (e.environment) event.environment = e.environment;
  if (e.release) event.release = e.release;
  if (e.platform) event.platform = e.platform;
  if (e.server_name) event.serverName = e.server_name;
  if (transaction) event.transaction = transaction;
  const culprit = e.culprit ?? transaction;
  if (culprit) event.culprit = culprit;
  if (!event.subject.node && !event.subject.pod && e.server_name) event.subject.node = e.server_name;
  return event;
}
