/**
 * Kubernetes events as event exporters send them (`POST /webhooks/kubernetes`): one core/v1 or
 * events.k8s.io/v1 `Event`, an `EventList`/`List`, or a JSON array of events. Alert-worthy events
 * (see kubernetes-rules.ts) become alerts whose fingerprint identifies the incident (alert name,
 * object and identity labels), not the event; all others are accepted and dropped.
 */
import { z } from 'zod';
import { fingerprintOf } from '../model.ts';
import type { Alert, AlertSubject } from '../model.ts';
import { readJsonBody } from './body.ts';
import { BODY_PATH, fail, invalid } from './issues.ts';
import { ruleFor, unknownWarningRule } from './kubernetes-rules.ts';
import { DEFAULT_MAX_ALERTS, isoOrUndefined } from './schemas.ts';
import type { IntakeRequest, IntakeResult, Source, SourceOptions } from './types.ts';

const text = (max = 253) => z.string().max(max).nullish();

const objectRefSchema = z.object({
  kind: z.string().min(1).max(128),
  name: z.string().min(1).max(253),
  namespace: text(),
  uid: text(64),
  fieldPath: text(1024),
  ownerReferences: z
    .array(z.object({ kind: text(128), name: text(), controller: z.boolean().nullish() }))
    .max(32)
    .nullish(),
});

const metadataSchema = z.object({ name: text(), namespace: text(), uid: text(64), creationTimestamp: text(64) }).nullish();
const sourceSchema = z.object({ component: text(256), host: text(256) }).nullish();

const coreEventSchema = z.object({
  apiVersion: z.string().max(64).nullish(),
  kind: z.literal('Event').nullish(),
  metadata: metadataSchema,
  involvedObject: objectRefSchema,
  reason: z.string().min(1).max(128),
  message: text(32 * 1024),
  type: text(32),
  source: sourceSchema,
  firstTimestamp: text(64),
  lastTimestamp: text(64),
  eventTime: text(64),
  count: z.number().int().nonnegative().nullish(),
  reportingComponent: text(256),
  reportingInstance: text(256),
  clusterName: text(256),
});

const eventsV1Schema = z.object({
  apiVersion: z.string().regex(/^events\.k8s\.io\/v1(beta1)?$/),
  kind: z.literal('Event').nullish(),
  metadata: metadataSchema,
  regarding: objectRefSchema,
  reason: z.string().min(1).max(128),
  note: text(32 * 1024),
  type: text(32),
  eventTime: text(64),
  reportingController: text(256),
  reportingInstance: text(256),
  series: z.object({ count: z.number().int().nonnegative().nullish(), lastObservedTime: text(64) }).nullish(),
  deprecatedSource: sourceSchema,
  deprecatedFirstTimestamp: text(64),
  deprecatedLastTimestamp: text(64),
  deprecatedCount: z.number().int().nonnegative().nullish(),
});

/** The fields of either Event version that alerts are made from. */
export interface KubeEvent {
  object: z.infer<typeof objectRefSchema>;
  reason: string;
  message: string;
  type: string;
  component?: string;
  host?: string;
  firstSeen?: string;
  lastSeen?: string;
  count: number;
  cluster?: string;
}

function fromCore(e: z.infer<typeof coreEventSchema>): KubeEvent {
  const component = e.source?.component ?? e.reportingComponent ?? undefined;
  const host = e.source?.host ?? (component === 'kubelet' ? e.reportingInstance : undefined) ?? undefined;
  return {
    object: e.involvedObject,
    reason: e.reason,
    message: e.message ?? '',
    type: e.type ?? 'Normal',
    component,
    host,
    firstSeen: isoOrUndefined(e.firstTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp),
    lastSeen: isoOrUndefined(e.lastTimestamp ?? e.eventTime),
    count: e.count ?? 1,
    cluster: e.clusterName ?? undefined,
  };
}

function fromV1(e: z.infer<typeof eventsV1Schema>): KubeEvent {
  const component = e.reportingController ?? e.deprecatedSource?.component ?? undefined;
  const host = e.deprecatedSource?.host ?? (component === 'kubelet' ? e.reportingInstance : undefined) ?? undefined;
  return {
    object: e.regarding,
    reason: e.reason,
    message: e.note ?? '',
    type: e.type ?? 'Normal',
    component,
    host,
    firstSeen: isoOrUndefined(e.deprecatedFirstTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp),
    lastSeen: isoOrUndefined(e.series?.lastObservedTime ?? e.deprecatedLastTimestamp ?? e.eventTime),
    count: e.series?.count ?? e.deprecatedCount ?? 1,
  };
}

const WORKLOAD_KINDS = new Set(['StatefulSet', 'Deployment', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

function subjectOf(e: KubeEvent, cluster: string | undefined): AlertSubject {
  const subject: AlertSubject = {};
  if (cluster) subject.cluster = cluster;
  if (e.object.namespace) subject.namespace = e.object.namespace;
  if (e.object.kind === 'Pod') subject.pod = e.object.name;
  if (WORKLOAD_KINDS.has(e.object.kind)) subject.workload = e.object.name;
  const owner = e.object.ownerReferences?.find((o) => o.controller) ?? e.object.ownerReferences?.[0];
  if (!subject.workload && owner?.name) subject.workload = owner.name;
  const node = e.object.kind === 'Node' ? e.object.name : e.host;
  if (node) subject.node = node;
  return subject;
}

export const DEFAULT_EVENT_TTL_SECONDS = 3600;

/**
 * The alert for one event, `undefined` when the event is not alert-worthy. One-off events end
 * `ttlSeconds` after they were last seen (a repeat extends them), like Prometheus alerts do.
 */
export function alertFromKubeEvent(
  e: KubeEvent,
  receivedAt: Date,
  fallbackCluster?: string,
  ttlSeconds = DEFAULT_EVENT_TTL_SECONDS,
): Alert | undefined {
  const rule = ruleFor({ reason: e.reason, message: e.message, type: e.type, kind: e.object.kind });
  if (!rule) return undefined;
  const cluster = e.cluster ?? fallbackCluster;
  const identity: Record<string, string> = { alertname: rule.alertname, kind: e.object.kind, name: e.object.name };
  if (cluster) identity.cluster = cluster;
  if (e.object.namespace) identity.namespace = e.object.namespace;
  const container = /\{([^}]{1,253})\}/.exec(e.object.fieldPath ?? '')?.[1];
  if (container) identity.container = container;
  if (rule === unknownWarningRule) identity.reason = e.reason;
  Object.assign(identity, rule.identity?.(e.message));
  const labels: Record<string, string> = { ...identity, reason: e.reason, severity: rule.severity };
  if (e.object.kind === 'Pod') labels.pod = e.object.name;
  const node = e.object.kind === 'Node' ? e.object.name : e.host;
  if (node) labels.node = node;
  if (e.component) labels.component = e.component;
  const annotations: Record<string, string> = {
    summary: `${e.reason}: ${e.object.kind} ${e.object.namespace ? `${e.object.namespace}/` : ''}${e.object.name}`,
    count: String(e.count),
  };
  if (e.message) annotations.description = e.message;
  if (e.lastSeen) annotations.last_seen = e.lastSeen;
  const pid = /Killed process (\d+)|pid: (\d+)/.exec(e.message);
  if (pid) annotations.pid = pid[1] ?? pid[2] ?? '';
  const status = rule.status ?? 'firing';
  const alert: Alert = {
    source: 'kubernetes',
    fingerprint: fingerprintOf(identity),
    status,
    severity: rule.severity,
    labels,
    annotations,
    startsAt: e.firstSeen ?? e.lastSeen ?? receivedAt.toISOString(),
    subject: subjectOf(e, cluster),
    links: {},
  };
  if (status === 'resolved') alert.endsAt = e.lastSeen ?? receivedAt.toISOString();
  else if (!rule.lasting) {
    const seen = Date.parse(e.lastSeen ?? e.firstSeen ?? '');
    alert.endsAt = new Date((Number.isNaN(seen) ? receivedAt.getTime() : seen) + ttlSeconds * 1000).toISOString();
  }
  return alert;
}

function listOf(body: unknown): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object' && 'items' in body && Array.isArray((body as { items: unknown }).items)) {
    const kind = (body as { kind?: unknown }).kind;
    if (kind === undefined || kind === 'EventList' || kind === 'List') return (body as { items: unknown[] }).items;
  }
  return undefined;
}

export async function parseKubernetesEvents(req: IntakeRequest, options: SourceOptions): Promise<IntakeResult> {
  const body = await readJsonBody(req, options);
  if (!body.ok) return body;
  const list = listOf(body.value);
  const items = list ?? [body.value];
  const max = options.maxAlerts ?? DEFAULT_MAX_ALERTS;
  if (items.length > max)
    return fail(400, `more than ${max} events in one delivery`, [
      { path: Array.isArray(body.value) ? BODY_PATH : 'items', message: `at most ${max} events` },
    ]);
  const alerts: Alert[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const prefix = list ? (Array.isArray(body.value) ? `[${i}]` : `items[${i}]`) : '';
    const isV1 =
      !!item &&
      typeof item === 'object' &&
      ('regarding' in item || String((item as { apiVersion?: unknown }).apiVersion ?? '').startsWith('events.k8s.io'));
    const parsed = isV1 ? eventsV1Schema.safeParse(item) : coreEventSchema.safeParse(item);
    if (!parsed.success) return invalid('invalid Kubernetes Event', parsed.error, prefix);
    const event = isV1 ? fromV1(parsed.data as z.infer<typeof eventsV1Schema>) : fromCore(parsed.data as z.infer<typeof coreEventSchema>);
    const alert = alertFromKubeEvent(event, req.receivedAt, options.cluster, options.kubernetesEventTtlSeconds);
    if (alert) alerts.push(alert);
  }
  return { ok: true, alerts, events: [] };
}

export const kubernetesSource: Source = {
  name: 'kubernetes',
  routes: ['/webhooks/kubernetes'],
  contentTypes: ['application/json'],
  bearerAuth: true,
  parse: parseKubernetesEvents,
};
