/**
 * Sentry integration-platform webhooks (`POST /webhooks/sentry`). The resource comes from
 * `Sentry-Hook-Resource`; `Sentry-Hook-Signature` (HMAC-SHA256 hex of the raw body with the client
 * secret) is verified in constant time when a secret is configured. `event_alert`, `issue` and
 * `metric_alert` become alerts; other resources (`installation`, `comment`, `error`, …) are accepted
 * with none. A `Sentry-Hook-Timestamp` older than `sentryWebhookMaxAgeSeconds` (default 300 s) is
 * refused; `replayKeys` (request id and body digest) let the HTTP layer process a delivery once.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { fingerprintOf, severityOf } from '../model.ts';
import type { Alert, AlertStatus, Severity } from '../model.ts';
import { headerValue, readJsonBody } from './body.ts';
import { fail, invalid } from './issues.ts';
import { withResolveTimeout } from './options.ts';
import { isoOrUndefined, linkOrUndefined } from './schemas.ts';
import { subjectFromLabels } from './subject.ts';
import type { IntakeFailure, IntakeRequest, IntakeResult, Source, SourceOptions } from './types.ts';

const text = (max = 1024) => z.string().max(max).nullish();
const id = z.union([z.string().max(128), z.number()]).nullish();
const tagPairs = z
  .array(z.tuple([z.string().max(256), z.union([z.string().max(8192), z.number(), z.null()])]))
  .max(512)
  .nullish();

const eventAlertSchema = z.object({
  action: z.string().max(64),
  data: z.object({
    triggered_rule: z.string().max(1024),
    event: z.object({
      event_id: text(64),
      issue_id: id,
      project: id,
      title: text(8192),
      message: text(65536),
      level: text(32),
      culprit: text(2048),
      environment: text(512),
      release: text(512),
      platform: text(64),
      datetime: text(64),
      timestamp: z.union([z.number(), z.string().max(64)]).nullish(),
      web_url: text(4096),
      issue_url: text(4096),
      url: text(4096),
      tags: tagPairs,
    }),
  }),
});

const issueSchema = z.object({
  action: z.enum(['created', 'resolved', 'assigned', 'ignored', 'archived', 'unresolved']),
  data: z.object({
    issue: z.object({
      id: z.union([z.string().max(128), z.number()]),
      shortId: text(256),
      title: text(8192),
      culprit: text(2048),
      level: text(32),
      status: text(64),
      firstSeen: text(64),
      lastSeen: text(64),
      count: z.union([z.string().max(32), z.number()]).nullish(),
      web_url: text(4096),
      permalink: text(4096),
      url: text(4096),
      platform: text(64),
      project: z.object({ id: id, slug: text(256), name: text(256) }).nullish(),
    }),
  }),
});

const metricAlertSchema = z.object({
  action: z.enum(['critical', 'warning', 'resolved']),
  data: z.object({
    description_title: text(2048),
    description_text: text(8192),
    web_url: text(4096),
    metric_alert: z.object({
      id: id,
      identifier: id,
      title: text(2048),
      status: z.union([z.number(), z.string().max(32)]).nullish(),
      date_started: text(64),
      date_detected: text(64),
      date_closed: text(64),
      projects: z.array(z.string().max(256)).max(256).nullish(),
      alert_rule: z.object({
        id: id,
        name: z.string().max(1024),
        aggregate: text(1024),
        query: text(8192),
        environment: text(512),
        projects: z.array(z.string().max(256)).max(256).nullish(),
      }),
    }),
  }),
});

function compact(record: Record<string, string | number | null | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) if (v !== undefined && v !== null && v !== '') out[k] = String(v);
  return out;
}

function alertOf(
  labels: Record<string, string>,
  annotations: Record<string, string>,
  status: AlertStatus,
  severity: Severity,
  startsAt: string,
  generator: string | undefined,
  now: Date,
  subjectTags: Record<string, string> = labels,
): Alert {
  const alert: Alert = {
    source: 'sentry',
    fingerprint: fingerprintOf(labels),
    status,
    severity,
    labels,
    annotations,
    startsAt,
    subject: subjectFromLabels(subjectTags),
    links: {},
  };
  if (status === 'resolved') alert.endsAt = now.toISOString();
  const link = linkOrUndefined(generator);
  if (link) alert.links.generator = link;
  return alert;
}

function eventAlert(body: unknown, now: Date): IntakeResult {
  const parsed = eventAlertSchema.safeParse(body);
  if (!parsed.success) return invalid('invalid Sentry event_alert webhook', parsed.error);
  const { event, triggered_rule } = parsed.data.data;
  const tags = Object.fromEntries((event.tags ?? []).filter(([, v]) => v !== null).map(([k, v]) => [k, String(v)]));
  const labels = compact({
    alertname: triggered_rule,
    project: event.project,
    issue_id: event.issue_id,
    environment: event.environment,
    level: event.level,
    namespace: tags['k8s.namespace'] ?? tags.namespace,
  });
  const annotations = compact({
    summary: event.title,
    description: event.message,
    culprit: event.culprit,
    release: event.release,
    event_id: event.event_id,
    triggered_rule,
  });
  const startsAt = isoOrUndefined(event.datetime ?? undefined) ?? now.toISOString();
  const link = event.web_url ?? event.issue_url ?? event.url ?? undefined;
  const alert = alertOf(labels, annotations, 'firing', severityOf(event.level ?? undefined, 'warning'), startsAt, link, now, {
    ...tags,
    ...labels,
  });
  return { ok: true, alerts: [alert], events: [] };
}

function issueAlert(body: unknown, now: Date): IntakeResult {
  const parsed = issueSchema.safeParse(body);
  if (!parsed.success) return invalid('invalid Sentry issue webhook', parsed.error);
  const { action } = parsed.data;
  const { issue } = parsed.data.data;
  const status: AlertStatus = action === 'resolved' || action === 'ignored' || action === 'archived' ? 'resolved' : 'firing';
  const labels = compact({ alertname: 'SentryIssue', project: issue.project?.slug ?? issue.project?.id, issue_id: issue.id });
  const annotations = compact({
    summary: issue.title,
    culprit: issue.culprit,
    short_id: issue.shortId,
    level: issue.level,
    action,
    count: issue.count,
    first_seen: issue.firstSeen,
    last_seen: issue.lastSeen,
  });
  const startsAt = isoOrUndefined(issue.firstSeen ?? undefined) ?? now.toISOString();
  const link = issue.web_url ?? issue.permalink ?? issue.url ?? undefined;
  return {
    ok: true,
    alerts: [alertOf(labels, annotations, status, severityOf(issue.level ?? undefined, 'warning'), startsAt, link, now)],
    events: [],
  };
}

function metricAlert(body: unknown, now: Date): IntakeResult {
  const parsed = metricAlertSchema.safeParse(body);
  if (!parsed.success) return invalid('invalid Sentry metric_alert webhook', parsed.error);
  const { action, data } = parsed.data;
  const m = data.metric_alert;
  const labels = compact({
    alertname: m.alert_rule.name,
    alert_rule_id: m.alert_rule.id,
    environment: m.alert_rule.environment,
    project: (m.projects ?? m.alert_rule.projects ?? []).join(','),
    incident: m.identifier ?? m.id,
  });
  const annotations = compact({
    summary: data.description_title ?? m.title,
    description: data.description_text,
    aggregate: m.alert_rule.aggregate,
    query: m.alert_rule.query,
    action,
  });
  const status: AlertStatus = action === 'resolved' ? 'resolved' : 'firing';
  const severity: Severity = action === 'critical' ? 'critical' : 'warning';
  const startsAt = isoOrUndefined(m.date_started ?? m.date_detected ?? undefined) ?? now.toISOString();
  const alert = alertOf(labels, annotations, status, severity, startsAt, data.web_url ?? undefined, now);
  const closed = isoOrUndefined(m.date_closed ?? undefined);
  if (status === 'resolved' && closed) alert.endsAt = closed;
  return { ok: true, alerts: [alert], events: [] };
}

function verifySignature(req: IntakeRequest, secrets: string[]): IntakeFailure | undefined {
  const given = headerValue(req.headers, 'sentry-hook-signature') ?? '';
  if (!/^[0-9a-f]{64}$/i.test(given)) return fail(401, 'missing or malformed Sentry-Hook-Signature');
  const givenBytes = Buffer.from(given.toLowerCase(), 'hex');
  let ok = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(req.rawBody).digest();
    if (timingSafeEqual(expected, givenBytes)) ok = true;
  }
  return ok ? undefined : fail(401, 'Sentry-Hook-Signature does not match');
}

const DEFAULT_MAX_AGE_SECONDS = 300;

/** Refuses a delivery whose `Sentry-Hook-Timestamp` (epoch seconds) is older than the window or far in the future. */
function checkTimestamp(req: IntakeRequest, options: SourceOptions): IntakeFailure | undefined {
  const raw = headerValue(req.headers, 'sentry-hook-timestamp');
  if (raw === undefined) return undefined;
  const sent = Number(raw);
  if (!Number.isFinite(sent))
    return fail(400, 'invalid Sentry-Hook-Timestamp', [{ path: 'headers.sentry-hook-timestamp', message: 'expected epoch seconds' }]);
  const maxAge = options.sentryWebhookMaxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
  const age = req.receivedAt.getTime() / 1000 - sent;
  if (age > maxAge || age < -maxAge)
    return fail(401, `Sentry-Hook-Timestamp is ${Math.round(age)} s old; deliveries older than ${maxAge} s are refused as replays`);
  return undefined;
}

/** What identifies one delivery: Sentry's `Request-ID` when sent, and always the digest of the signed body. */
export function sentryWebhookReplayKeys(req: IntakeRequest): string[] {
  const keys = [`body:${createHash('sha256').update(req.rawBody).digest('hex')}`];
  const id = headerValue(req.headers, 'request-id');
  if (id && /^[\w-]{1,128}$/.test(id)) keys.push(`id:${id}`);
  return keys;
}

function timedOut(result: IntakeResult, receivedAt: Date, options: SourceOptions): IntakeResult {
  if (result.ok) for (const a of result.alerts) withResolveTimeout(a, receivedAt, options);
  return result;
}

export async function parseSentryWebhook(req: IntakeRequest, options: SourceOptions): Promise<IntakeResult> {
  const secrets = options.sentryWebhookSecrets ?? [];
  if (secrets.length > 0) {
    const denied = verifySignature(req, secrets);
    if (denied) return denied;
  }
  const stale = checkTimestamp(req, options);
  if (stale) return stale;
  const resource = (headerValue(req.headers, 'sentry-hook-resource') ?? '').trim();
  if (!/^[a-z_]{1,64}$/.test(resource)) {
    return fail(400, 'missing or invalid Sentry-Hook-Resource header', [
      { path: 'headers.sentry-hook-resource', message: 'expected a resource name such as issue, event_alert or metric_alert' },
    ]);
  }
  const body = await readJsonBody(req, options);
  if (!body.ok) return body;
  // Issue and event alerts are one-off reports that Sentry never resolves by webhook on its own
  // schedule: they end after resolve_timeout. Metric alerts are resolved by Sentry explicitly.
  if (resource === 'event_alert') return timedOut(eventAlert(body.value, req.receivedAt), req.receivedAt, options);
  if (resource === 'issue') return timedOut(issueAlert(body.value, req.receivedAt), req.receivedAt, options);
  if (resource === 'metric_alert') return metricAlert(body.value, req.receivedAt);
  return { ok: true, alerts: [], events: [] };
}

export const sentryWebhookSource: Source = {
  name: 'sentry-webhook',
  routes: ['/webhooks/sentry'],
  contentTypes: ['application/json'],
  bearerAuth: false,
  credentialed: (o) => (o.sentryWebhookSecrets ?? []).length > 0,
  replayKeys: sentryWebhookReplayKeys,
  parse: parseSentryWebhook,
};
