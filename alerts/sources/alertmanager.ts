/**
 * Alertmanager webhook, payload version 4 (Alertmanager 0.25 and later). Fingerprints sent by
 * Alertmanager are kept; missing ones are computed the same way, so ids match in both systems.
 */
import { z } from 'zod';
import { fingerprintOf, severityOf } from '../model.ts';
import type { Alert } from '../model.ts';
import { readJsonBody } from './body.ts';
import { annotationsJsonSchema, compileValidator, labelsJsonSchema, timestampJsonSchema } from './compiled.ts';
import { invalid } from './issues.ts';
import { DEFAULT_MAX_ALERTS, annotationsSchema, isoOrUndefined, labelsSchema, prometheusLinks, timestampSchema } from './schemas.ts';
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

export type AlertmanagerPayload = z.infer<ReturnType<typeof payloadSchema>>;

/** The same payload as a JSON schema, for the compiled fast path (see `compiled.ts`). */
function payloadJsonSchema(maxAlerts: number) {
  const status = { type: 'string', enum: ['firing', 'resolved'] };
  return {
    type: 'object',
    required: ['version', 'groupKey', 'status', 'receiver', 'groupLabels', 'commonLabels', 'commonAnnotations', 'externalURL', 'alerts'],
    properties: {
      version: { const: '4' },
      groupKey: { type: 'string', maxLength: 65536 },
      truncatedAlerts: { type: 'integer', minimum: 0 },
      status,
      receiver: { type: 'string', maxLength: 1024 },
      groupLabels: labelsJsonSchema,
      commonLabels: labelsJsonSchema,
      commonAnnotations: annotationsJsonSchema,
      externalURL: { type: 'string', maxLength: 8192 },
      alerts: {
        type: 'array',
        maxItems: maxAlerts,
        items: {
          type: 'object',
          required: ['status', 'labels', 'startsAt'],
          properties: {
            status,
            labels: labelsJsonSchema,
            annotations: annotationsJsonSchema,
            startsAt: timestampJsonSchema,
            endsAt: timestampJsonSchema,
            generatorURL: { type: 'string', maxLength: 8192 },
            fingerprint: { type: 'string', pattern: '^[0-9a-f]{16}$' },
          },
        },
      },
    },
  };
}

interface Validators {
  zod: ReturnType<typeof payloadSchema>;
  fast: (v: unknown) => v is AlertmanagerPayload;
}

const validators = new Map<number, Validators>();
function validatorsFor(maxAlerts: number): Validators {
  let v = validators.get(maxAlerts);
  if (!v) {
    v = { zod: payloadSchema(maxAlerts), fast: compileValidator<AlertmanagerPayload>(payloadJsonSchema(maxAlerts)) };
    validators.set(maxAlerts, v);
  }
  return v;
}

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
    links: prometheusLinks(a.generatorURL, annotations),
  };
  const endsAt = isoOrUndefined(a.endsAt);
  if (endsAt) alert.endsAt = endsAt;
  return alert;
}

export async function parseAlertmanager(req: IntakeRequest, options: SourceOptions): Promise<IntakeResult> {
  const body = await readJsonBody(req, options);
  if (!body.ok) return body;
  const v = validatorsFor(options.maxAlerts ?? DEFAULT_MAX_ALERTS);
  if (v.fast(body.value)) return { ok: true, alerts: body.value.alerts.map(alertFromAlertmanager), events: [] };
  const parsed = v.zod.safeParse(body.value);
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
