/**
 * Builds the `Alert`s the reconcilers emit: `source: 'kubernetes'`, the label set that names
 * one incident (so its fingerprint is stable), the subject, and owner/channel routing labels
 * copied from the workload's `firstmate.io/owner` / `firstmate.io/channel` annotations.
 */
import { fingerprintOf } from '../alerts/model.ts';
import type { Alert, AlertSink, AlertStatus, Severity } from '../alerts/model.ts';
import type { KubeMetrics } from './types.ts';

export interface KubeAlertInput {
  alertname: string;
  cluster: string;
  severity: Severity;
  status?: AlertStatus;
  namespace?: string;
  pod?: string;
  node?: string;
  workload?: string;
  container?: string;
  reason?: string;
  /** Further identity labels (e.g. `from_node`, `storm`). */
  labels?: Record<string, string>;
  /** Workload annotations; `firstmate.io/owner` and `firstmate.io/channel` become labels. */
  ownerAnnotations?: Record<string, string>;
  summary: string;
  description: string;
  annotations?: Record<string, string>;
  startsAt: number;
  endsAt?: number;
  ip?: string;
}

const iso = (ms: number) => new Date(ms || Date.now()).toISOString();

export function kubeAlert(a: KubeAlertInput): Alert {
  const labels: Record<string, string> = { alertname: a.alertname, cluster: a.cluster, severity: a.severity };
  for (const k of ['namespace', 'pod', 'node', 'workload', 'container', 'reason'] as const) {
    const v = a[k];
    if (v) labels[k] = v;
  }
  Object.assign(labels, a.labels);
  const owner = a.ownerAnnotations?.['firstmate.io/owner'];
  const channel = a.ownerAnnotations?.['firstmate.io/channel'];
  if (owner) labels.owner = owner;
  if (channel) labels.channel = channel;
  const alert: Alert = {
    source: 'kubernetes',
    fingerprint: fingerprintOf(labels),
    status: a.status ?? 'firing',
    severity: a.severity,
    labels,
    annotations: { summary: a.summary, description: a.description, ...a.annotations },
    startsAt: iso(a.startsAt),
    subject: {
      cluster: a.cluster,
      ...(a.namespace ? { namespace: a.namespace } : {}),
      ...(a.workload ? { workload: a.workload } : {}),
      ...(a.pod ? { pod: a.pod } : {}),
      ...(a.node ? { node: a.node } : {}),
      ...(a.ip ? { ip: a.ip } : {}),
    },
    links: {},
  };
  if (a.endsAt) alert.endsAt = iso(a.endsAt);
  return alert;
}

/** Wraps a sink with the `alertsEmitted` metric. */
export function countingSink(sink: AlertSink, metrics?: KubeMetrics): AlertSink {
  return {
    async emit(alerts) {
      await sink.emit(alerts);
      for (const a of alerts) metrics?.alertsEmitted?.(a.labels.alertname ?? 'unknown', 1);
    },
  };
}

/** Human duration: 45s, 3m20s, 1h05m. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}
