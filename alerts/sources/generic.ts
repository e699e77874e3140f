/**
 * The generic webhook (`POST /webhooks/generic`) for scripts and monitors without a format of their
 * own: `{title, severity, status, labels, annotations, fingerprint?, source?}` or a list of them.
 * `labels.alertname` defaults to the title; the fingerprint defaults to Alertmanager's over the labels.
 */
import { z } from 'zod';
import { fingerprintOf, severityOf } from '../model.ts';
import type { Alert } from '../model.ts';
import { readJsonBody } from './body.ts';
import { invalid } from './issues.ts';
import { DEFAULT_MAX_ALERTS, annotationsSchema, isoOrUndefined, labelsSchema, linkOrUndefined, timestampSchema } from './schemas.ts';
import { withResolveTimeout } from './options.ts';
import { subjectFromLabels } from './subject.ts';
import type { IntakeRequest, IntakeResult, Source, SourceOptions } from './types.ts';

export const genericAlertSchema = z.object({
  title: z.string().min(1).max(1024),
  severity: z.string().max(32).optional(),
  status: z.enum(['firing', 'resolved']).default('firing'),
  labels: labelsSchema.default({}),
  annotations: annotationsSchema.default({}),
  fingerprint: z
    .string()
    .regex(/^[\w.:-]{1,128}$/, 'expected 1-128 letters, digits, _ . : or -')
    .optional(),
  source: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/i, 'expected a short name such as "cron" or "backup-check"')
    .optional(),
  startsAt: timestampSchema.optional(),
  endsAt: timestampSchema.optional(),
  generatorURL: z.string().max(4096).optional(),
});

function listSchema(max: number) {
  return z.array(genericAlertSchema).min(1, 'empty list').max(max, `more than ${max} alerts in one delivery`);
}

const schemas = new Map<number, ReturnType<typeof listSchema>>();

export type GenericAlert = z.infer<typeof genericAlertSchema>;

export function alertFromGeneric(g: GenericAlert, receivedAt: Date): Alert {
  const labels: Record<string, string> = { alertname: g.title.slice(0, 256), ...g.labels };
  if (g.severity && !labels.severity) labels.severity = g.severity;
  const annotations: Record<string, string> = { ...g.annotations };
  if (!annotations.summary) annotations.summary = g.title;
  const alert: Alert = {
    source: g.source ?? 'generic',
    fingerprint: g.fingerprint ?? fingerprintOf(labels),
    status: g.status,
    severity: severityOf(g.severity ?? labels.severity),
    labels,
    annotations,
    startsAt: isoOrUndefined(g.startsAt) ?? receivedAt.toISOString(),
    subject: subjectFromLabels(labels),
    links: {},
  };
  const endsAt = isoOrUndefined(g.endsAt) ?? (g.status === 'resolved' ? receivedAt.toISOString() : undefined);
  if (endsAt) alert.endsAt = endsAt;
  const generator = linkOrUndefined(g.generatorURL);
  if (generator) alert.links.generator = generator;
  const runbook = linkOrUndefined(annotations.runbook_url);
  if (runbook) alert.links.runbook = runbook;
  return alert;
}

export async function parseGeneric(req: IntakeRequest, options: SourceOptions): Promise<IntakeResult> {
  const body = await readJsonBody(req, options);
  if (!body.ok) return body;
  const max = options.maxAlerts ?? DEFAULT_MAX_ALERTS;
  let schema = schemas.get(max);
  if (!schema) {
    schema = listSchema(max);
    schemas.set(max, schema);
  }
  const parsed = Array.isArray(body.value) ? schema.safeParse(body.value) : genericAlertSchema.safeParse(body.value);
  if (!parsed.success) return invalid('invalid generic alert payload', parsed.error);
  const list = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  return {
    ok: true,
    alerts: list.map((g) => withResolveTimeout(alertFromGeneric(g, req.receivedAt), req.receivedAt, options)),
    events: [],
  };
}

export const genericSource: Source = {
  name: 'generic',
  routes: ['/webhooks/generic'],
  contentTypes: ['application/json'],
  bearerAuth: true,
  parse: parseGeneric,
};
