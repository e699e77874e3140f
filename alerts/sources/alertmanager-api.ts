/**
 * Alertmanager's own API (`POST /api/v2/alerts`): the list of postable alerts Prometheus sends to
 * the Alertmanagers in its `alerting.alertmanagers`, so firstmate can stand in for one. Semantics
 * follow Alertmanager: a missing `startsAt` is the end (or now), a missing `endsAt` is now plus
 * `resolve_timeout`, an alert whose `endsAt` has passed is resolved, labels with an empty value
 * are dropped (an alert left with none is refused); the fingerprint is Alertmanager's over the
 * labels, so the same alert has the same id in both systems.
 */
import { z } from 'zod';
import { fingerprintOf, severityOf } from '../model.ts';
import type { Alert } from '../model.ts';
import { readJsonBody } from './body.ts';
import { annotationsJsonSchema, compileValidator, labelsJsonSchema, timestampJsonSchema } from './compiled.ts';
import { fail, invalid } from './issues.ts';
import { DEFAULT_MAX_ALERTS, annotationsSchema, labelsSchema, prometheusLinks, timestampSchema } from './schemas.ts';
import { DEFAULT_RESOLVE_TIMEOUT_SECONDS } from './options.ts';
import { subjectFromLabels } from './subject.ts';
import { timestampOf, type Timestamp } from './timestamps.ts';
import type { IntakeRequest, IntakeResult, Source, SourceOptions } from './types.ts';

const postableAlertSchema = z.object({
  labels: labelsSchema.refine((l) => Object.keys(l).length > 0, 'at least one label pair required'),
  annotations: annotationsSchema.optional(),
  startsAt: timestampSchema.optional(),
  endsAt: timestampSchema.optional(),
  generatorURL: z.string().max(8192).optional(),
});

function listSchema(maxAlerts: number) {
  return z.array(postableAlertSchema).max(maxAlerts, `more than ${maxAlerts} alerts in one delivery`);
}

export type PostableAlert = z.infer<typeof postableAlertSchema>;

/** The same list as a JSON schema, for the compiled fast path (see `compiled.ts`). */
function listJsonSchema(maxAlerts: number) {
  return {
    type: 'array',
    maxItems: maxAlerts,
    items: {
      type: 'object',
      required: ['labels'],
      properties: {
        labels: { ...labelsJsonSchema, minProperties: 1 },
        annotations: annotationsJsonSchema,
        startsAt: timestampJsonSchema,
        endsAt: timestampJsonSchema,
        generatorURL: { type: 'string', maxLength: 8192 },
      },
    },
  };
}

interface Validators {
  zod: ReturnType<typeof listSchema>;
  fast: (v: unknown) => v is PostableAlert[];
}

const validators = new Map<number, Validators>();
function validatorsFor(maxAlerts: number): Validators {
  let v = validators.get(maxAlerts);
  if (!v) {
    v = { zod: listSchema(maxAlerts), fast: compileValidator<PostableAlert[]>(listJsonSchema(maxAlerts)) };
    validators.set(maxAlerts, v);
  }
  return v;
}

const timestampAt = (date: Date): Timestamp => ({ iso: date.toISOString(), ms: date.getTime() });

/** The labels without empty values (Alertmanager drops them on receipt); the same object when none is empty. */
function withoutEmpty(labels: Record<string, string>): Record<string, string> {
  for (const name in labels) if (labels[name] === '') return Object.fromEntries(Object.entries(labels).filter(([, v]) => v !== ''));
  return labels;
}

/** Why a postable alert is refused: the field and the message. */
type Refused = [field: string, message: string];

/** Normalises one postable alert as Alertmanager would on receipt at `receivedAt`. */
export function alertFromPostable(a: PostableAlert, receivedAt: Date, resolveTimeoutMs: number): Alert | Refused {
  const labels = withoutEmpty(a.labels);
  if (labels !== a.labels && Object.keys(labels).length === 0) return ['labels', 'at least one label pair required'];
  const annotations = a.annotations ?? {};
  const now = receivedAt.getTime();
  const givenEnd = timestampOf(a.endsAt);
  const ends = givenEnd ?? timestampAt(new Date(now + resolveTimeoutMs));
  const endsAt = ends.iso;
  const startsAt = timestampOf(a.startsAt)?.iso ?? (givenEnd ? endsAt : receivedAt.toISOString());
  if (endsAt < startsAt) return ['endsAt', 'endsAt must not be before startsAt'];
  const alert: Alert = {
    source: 'prometheus',
    fingerprint: fingerprintOf(labels),
    status: ends.ms <= now ? 'resolved' : 'firing',
    severity: severityOf(labels.severity),
    labels,
    annotations,
    startsAt,
    endsAt,
    subject: subjectFromLabels(labels),
    links: prometheusLinks(a.generatorURL, annotations),
  };
  return alert;
}

export async function parseAlertmanagerApi(req: IntakeRequest, options: SourceOptions): Promise<IntakeResult> {
  const body = await readJsonBody(req, options);
  if (!body.ok) return body;
  const v = validatorsFor(options.maxAlerts ?? DEFAULT_MAX_ALERTS);
  let list: PostableAlert[];
  if (v.fast(body.value)) list = body.value;
  else {
    const parsed = v.zod.safeParse(body.value);
    if (!parsed.success) return invalid('invalid alerts', parsed.error);
    list = parsed.data;
  }
  const resolveTimeoutMs = (options.resolveTimeoutSeconds ?? DEFAULT_RESOLVE_TIMEOUT_SECONDS) * 1000;
  const alerts: Alert[] = [];
  const problems: Array<{ path: string; message: string }> = [];
  list.forEach((a, i) => {
    const alert = alertFromPostable(a, req.receivedAt, resolveTimeoutMs);
    if (Array.isArray(alert)) problems.push({ path: `[${i}].${alert[0]}`, message: alert[1] });
    else alerts.push(alert);
  });
  if (problems.length > 0) return fail(400, 'invalid alerts', problems);
  return { ok: true, alerts, events: [] };
}

export const alertmanagerApiSource: Source = {
  name: 'prometheus',
  routes: ['/api/v2/alerts'],
  contentTypes: ['application/json'],
  bearerAuth: true,
  parse: parseAlertmanagerApi,
};
