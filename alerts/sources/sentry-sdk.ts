/**
 * Sentry SDK ingestion: `POST /api/:projectId/envelope/` and the legacy `POST /api/:projectId/store/`.
 * Accepts what an unmodified SDK sends (gzip/deflate bodies, the key in `X-Sentry-Auth`, the query or
 * the envelope's `dsn`). Error events and error-level log records become {@link SentryEvent}s; every
 * other item (sessions, client reports, attachments, transactions, check-ins, spans, …) is accepted
 * and ignored. No alerts come out directly: frequency rules turn events into alerts.
 */
import { DEFAULT_MAX_INFLATED_BYTES, decodeBody, decodeUtf8, inflateZlibData, parseJsonText } from './body.ts';
import { at, fail, invalid } from './issues.ts';
import { DEFAULT_MAX_ALERTS } from './schemas.ts';
import { checkSentryKey, keyFromDsn, requestKey } from './sentry-auth.ts';
import { splitEnvelope } from './sentry-envelope.ts';
import { normaliseSentryEvent, sentryEventSchema } from './sentry-event.ts';
import { eventsFromLogs, sentryLogPayloadSchema } from './sentry-logs.ts';
import type { IntakeFailure, IntakeRequest, IntakeResult, SentryEvent, Source, SourceOptions } from './types.ts';

const PROJECT_ID = /^[\w-]{1,64}$/;

function projectIdOf(req: IntakeRequest): string | IntakeFailure {
  const id = req.params.projectId ?? '';
  return PROJECT_ID.test(id)
    ? id
    : fail(400, 'invalid Sentry project id in the path', [{ path: 'projectId', message: 'expected 1-64 letters, digits, _ or -' }]);
}

function tooMany(events: SentryEvent[], options: SourceOptions): IntakeFailure | undefined {
  const max = options.maxAlerts ?? DEFAULT_MAX_ALERTS;
  return events.length > max ? fail(413, `more than ${max} events in one delivery`) : undefined;
}

export async function parseSentryEnvelope(req: IntakeRequest, options: SourceOptions): Promise<IntakeResult> {
  const projectId = projectIdOf(req);
  if (typeof projectId !== 'string') return projectId;
  const body = await decodeBody(req, options);
  if (!body.ok) return body;
  const envelope = splitEnvelope(body.value);
  if (!envelope.ok) return envelope;
  const denied = checkSentryKey(projectId, requestKey(req) ?? keyFromDsn(envelope.value.header.dsn), options);
  if (denied) return denied;
  const events: SentryEvent[] = [];
  for (const item of envelope.value.items) {
    const type = item.header.type;
    if (type !== 'event' && type !== 'log') continue;
    const text = decodeUtf8(item.payload);
    if (!text.ok) return at(text, `items[${item.index}].payload`);
    const json = parseJsonText(text.value, `item ${item.index} payload`);
    if (!json.ok) return at(json, `items[${item.index}].payload`);
    if (type === 'event') {
      const parsed = sentryEventSchema.safeParse(json.value);
      if (!parsed.success) return invalid('invalid Sentry event', parsed.error, `items[${item.index}].payload`);
      const event = normaliseSentryEvent(parsed.data, projectId, req.receivedAt);
      if (event) events.push(event);
    } else {
      const parsed = sentryLogPayloadSchema.safeParse(json.value);
      if (!parsed.success) return invalid('invalid Sentry log item', parsed.error, `items[${item.index}].payload`);
      events.push(...eventsFromLogs(parsed.data, projectId, req.receivedAt));
    }
  }
  return tooMany(events, options) ?? { ok: true, alerts: [], events };
}

/** Old SDKs sent store bodies as base64 of zlib-deflated JSON. */
async function legacyText(text: string, options: SourceOptions): Promise<string | IntakeFailure> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || !/^[A-Za-z0-9+/=\s]+$/.test(trimmed)) return text;
  try {
    const max = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
    return (await inflateZlibData(Buffer.from(trimmed, 'base64'), max)).toString('utf8');
  } catch {
    return fail(400, 'body is neither JSON nor base64 zlib-compressed JSON');
  }
}

export async function parseSentryStore(req: IntakeRequest, options: SourceOptions): Promise<IntakeResult> {
  const projectId = projectIdOf(req);
  if (typeof projectId !== 'string') return projectId;
  const denied = checkSentryKey(projectId, requestKey(req), options);
  if (denied) return denied;
  const body = await decodeBody(req, options);
  if (!body.ok) return body;
  const text = decodeUtf8(body.value);
  if (!text.ok) return text;
  const source = await legacyText(text.value, options);
  if (typeof source !== 'string') return source;
  const json = parseJsonText(source);
  if (!json.ok) return json;
  const parsed = sentryEventSchema.safeParse(json.value);
  if (!parsed.success) return invalid('invalid Sentry event', parsed.error);
  const event = normaliseSentryEvent(parsed.data, projectId, req.receivedAt);
  return { ok: true, alerts: [], events: event ? [event] : [] };
}

/** Content types are not checked for SDK routes: the Node SDK sends none, browsers send text/plain. */
export const sentryEnvelopeSource: Source = {
  name: 'sentry-envelope',
  routes: ['/api/:projectId/envelope/'],
  contentTypes: [],
  bearerAuth: false,
  credentialed: (o) => Object.keys(o.sentryProjects ?? {}).length > 0,
  parse: parseSentryEnvelope,
};

export const sentryStoreSource: Source = {
  name: 'sentry-store',
  routes: ['/api/:projectId/store/'],
  contentTypes: [],
  bearerAuth: false,
  credentialed: (o) => Object.keys(o.sentryProjects ?? {}).length > 0,
  parse: parseSentryStore,
};
