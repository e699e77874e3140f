/**
 * The generic webhook (`POST /webhooks/generic`) for scripts and monitors without a format of their
 * own: `{title, severity, status, labels, annotations, fingerprint?, source?}` or a list of them.
 * `labels.alertname` defaults to the title; the fingerprint defaults to Alertmanager's over the labels.
 *
 * The common shapes of other tools are read too: Grafana OnCall's formatted webhook (`alert_uid`,
 * `title`, `state`, `message`, `link_to_upstream_details`, `image_url`) and Grafana's legacy
 * webhook (`ruleName`, `ruleUrl`, `state`, `message`, `imageUrl`, `tags`). `message` and
 * `description` become the alert's body, links its source and image; fields nobody asked for are
 * kept as annotations rather than dropped.
 */
import { z } from 'zod';
import { fingerprintOf, severityOf } from '../model.ts';
import type { Alert } from '../model.ts';
import { readJsonBody } from './body.ts';
import { invalid } from './issues.ts';
import {
  DEFAULT_MAX_ALERTS,
  MAX_ANNOTATIONS,
  MAX_ANNOTATION_VALUE,
  MAX_LABEL_NAME,
  annotationsSchema,
  isoOrUndefined,
  labelsSchema,
  linkOrUndefined,
  timestampSchema,
} from './schemas.ts';
import { withResolveTimeout } from './options.ts';
import { subjectFromLabels } from './subject.ts';
import type { IntakeRequest, IntakeResult, Source, SourceOptions } from './types.ts';

const text = (max: number) => z.string().max(max).optional();
const link = z.string().max(4096).optional();

export const genericAlertSchema = z
  .looseObject({
    title: z.string().min(1).max(1024).optional(),
    severity: z.string().max(32).optional(),
    status: z.enum(['firing', 'resolved']).optional(),
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
    generatorURL: link,
    /** The body: Grafana and OnCall send `message`, others `description`. */
    message: text(MAX_ANNOTATION_VALUE),
    description: text(MAX_ANNOTATION_VALUE),
    /** Grafana/OnCall: `alerting`, `ok`, `no_data`, `pending`, `paused`; `ok` (or `resolved`) resolves. */
    state: text(32),
    /** OnCall: the alert's stable id, so its resolution finds it. */
    alert_uid: text(256),
    link_to_upstream_details: link,
    image_url: link,
    /** Grafana legacy webhook. */
    ruleName: text(1024),
    ruleUrl: link,
    imageUrl: link,
    tags: labelsSchema.optional(),
  })
  .refine((g) => Boolean(g.title ?? g.ruleName ?? g.message?.trim()), {
    message: 'give a title (or a message)',
    path: ['title'],
  });

const KNOWN = new Set(Object.keys(genericAlertSchema.shape));
const MAX_EXTRA_VALUE = 4096;
const FINGERPRINT = /^[\w.:-]{1,128}$/;

function listSchema(max: number) {
  return z.array(genericAlertSchema).min(1, 'empty list').max(max, `more than ${max} alerts in one delivery`);
}

const schemas = new Map<number, ReturnType<typeof listSchema>>();

export type GenericAlert = z.infer<typeof genericAlertSchema>;

function statusOf(g: GenericAlert): Alert['status'] {
  if (g.status) return g.status;
  const state = g.state?.toLowerCase();
  return state === 'ok' || state === 'resolved' || state === 'normal' ? 'resolved' : 'firing';
}

/** Fields outside the schema, as annotations (non-strings as JSON), within the annotation limits. */
function extraAnnotations(g: GenericAlert, room: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(g)) {
    if (room <= 0) break;
    if (KNOWN.has(k) || v === undefined || v === null || k.length > MAX_LABEL_NAME) continue;
    const value = typeof v === 'string' ? v : JSON.stringify(v);
    out[k] = value.length > MAX_EXTRA_VALUE ? `${value.slice(0, MAX_EXTRA_VALUE - 1)}…` : value;
    room--;
  }
  return out;
}

export function alertFromGeneric(g: GenericAlert, receivedAt: Date): Alert {
  const title = (g.title ?? g.ruleName ?? g.message!.trim().split('\n')[0]!).slice(0, 256);
  const labels: Record<string, string> = { alertname: title, ...g.tags, ...g.labels };
  if (g.severity && !labels.severity) labels.severity = g.severity;
  const annotations: Record<string, string> = { ...g.annotations };
  if (!annotations.summary) annotations.summary = title;
  if (g.description && !annotations.description) annotations.description = g.description;
  if (g.message && !annotations.message) annotations.message = g.message;
  const image = linkOrUndefined(g.image_url ?? g.imageUrl);
  if (image && !annotations.image_url) annotations.image_url = image;
  Object.assign(annotations, extraAnnotations(g, MAX_ANNOTATIONS - Object.keys(annotations).length));
  const status = statusOf(g);
  const uid = g.alert_uid;
  const alert: Alert = {
    source: g.source ?? 'generic',
    fingerprint: g.fingerprint ?? (uid ? (FINGERPRINT.test(uid) ? uid : fingerprintOf({ alert_uid: uid })) : fingerprintOf(labels)),
    status,
    severity: severityOf(g.severity ?? labels.severity),
    labels,
    annotations,
    startsAt: isoOrUndefined(g.startsAt) ?? receivedAt.toISOString(),
    subject: subjectFromLabels(labels),
    links: {},
  };
  const endsAt = isoOrUndefined(g.endsAt) ?? (status === 'resolved' ? receivedAt.toISOString() : undefined);
  if (endsAt) alert.endsAt = endsAt;
  const generator = linkOrUndefined(g.generatorURL ?? g.link_to_upstream_details ?? g.ruleUrl);
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
