/**
 * Alertmanager webhook, payload version 4 (Alertmanager 0.25 and later). Fingerprints sent by
 * Alertmanager are kept; missing ones are computed the same way, so ids match in both systems.
 */
import { z } from 'zod';
import { fingerprintOf, severityOf } from '../model.ts';
import type { Alert } from '../model.ts';
import { readJsonBody } from './body.ts';
import { invalid } from './issues.ts';
import { DEFAULT_MAX_ALERTS, annotationsSchema, isoOrUndefined, labelsSchema, linkOrUndefined, timestampSchema } from './schemas.ts';
import { subjectFromLabels } from './subject.ts';
import type { IntakeRequest, IntakeResult, Source, SourceOptions } from './types.ts';

const statusSchema = z.enum(['firing', 'resolved']);

const alertSchema = z.object({
  status: statusSchema,
  labels: labelsSchema,
  annotations: annotationsSchema.optional(),
  startsAt: timestampSchema,
  endsAt: timestampSchema.optional(),
  generatorURL: z.string().max(8192).optional(),
  fingerprint: z
    .string()
    .regex(/^[0-9a-f]{16}$/, 'expected 16 lowercase hex digits')
    .optional(),
});

function payloadSchema(maxAlerts: number) {
  return z.object({
    version: z.literal('4', { error: 'unsupported payload version, expected "4"' }),
    groupKey: z.string().max(65536),
    truncatedAlerts: z.number().int().nonnegative().optional(),
    status: statusSchema,
    receiver: z.string().max(1024),
    groupLabels: labelsSchema,
    commonLabels: labelsSchema,
    commonAnnotations: annotationsSchema,
    externalURL: z.string().max(8192),
    alerts: z.array(alertSchema).max(maxAlerts, `more than ${maxAlerts} alerts in one delivery`),
  });
}

const schemas = new Map<number, ReturnType<typeof payloadSchema>>();
function schemaFor(maxAlerts: number) {
  let s = schemas.get(maxAlerts);
  if (!s) {
    s = payloadSchema(maxAlerts);
    schemas.set(maxAlerts, s);
  }
  return s;
}

export type AlertmanagerPayload = z.infer<ReturnType<typeof payloadSchema>>;

/** Normalises one Alertmanager alert. */
export function alertFromAlertmanager(a: AlertmanagerPayload['alerts'][number]): Alert {
  const annotations = a.annotations ?? {};
  const alert: Alert = {
    source: 'alertmanager',
    fingerprint: a.fingerprint ?? fingerprintOf(a.labels),
    status: a.status,
    severity: severityOf(a.labels.severity),
    labels: a.labels,
    annotations,
    startsAt: isoOrUndefined(a.startsAt) ?? new Date(0).toISOString(),
    subject: subjectFromLabels(a.labels),
    links: {},
  };
  const endsAt = isoOrUndefined(a.endsAt);
  if (endsAt) alert.endsAt = endsAt;
  const generator = linkOrUndefined(a.generatorURL);
  if (generator) alert.links.generator = generator;
  const runbook = linkOrUndefined(annotations.runbook_url ?? annotations.runbook);
  if (runbook) alert.links.runbook = runbook;
  return alert;
}

export async function parseAlertmanager(req: IntakeRequest, options: SourceOptions): Promise<IntakeResult> {
  const body = await readJsonBody(req, options);
  if (!body.ok) return body;
  const parsed = schemaFor(options.maxAlerts ?? DEFAULT_MAX_ALERTS).safeParse(body.value);
  if (!parsed.success) return invalid('invalid Alertmanager webhook payload', parsed.error);
  return { ok: true, alerts: parsed.data.alerts.map(alertFromAlertmanager), events: [] };
}

export const alertmanagerSource: Source = {
  name: 'alertmanager',
  routes: ['/webhooks/alertmanager'],
  contentTypes: ['application/json'],
  bearerAuth: true,
  parse: parseAlertmanager,
};
