/**
 * What the incidents page shows, read from the alert pipeline, the silences and the audit log:
 * open incidents with their last notification, silences, recent notifications with their
 * delivery state, and the audit tail. Reads only; nothing here changes state.
 */
import type { AuditEntry, AuditLog } from '../../chat/audit.ts';
import type { Incidents, IncidentSummary } from '../../alerts/pipeline/incidents.ts';
import type { AlertPipeline } from '../../alerts/pipeline/index.ts';
import type { NotifyJob } from '../../alerts/pipeline/types.ts';
import { matchesAll, type Matcher } from '../../alerts/matchers.ts';
import type { Alert } from '../../alerts/model.ts';
import type { Silence, Silences } from '../../alerts/silences.ts';

/** One notification as the page lists it, with where its delivery stands. */
export interface NotificationRow {
  at: string;
  ref: string;
  receiver: string;
  kind: string;
  channel: string;
  state: 'delivered' | 'updated' | 'pending' | 'retrying' | 'failed';
  detail: string;
}

export interface IncidentsPageData {
  incidents: IncidentSummary[];
  silences: Silence[];
  notifications: NotificationRow[];
  /** Present for admins only. */
  audit?: AuditEntry[];
}

/** The services the page reads from. */
export interface IncidentsSources {
  incidents: Incidents;
  silences: Silences;
  notifyQueue: AlertPipeline['queues']['notify'];
  /** Deliveries being sent straight from a flush (not queued). */
  sending: AlertPipeline['sending'];
  audit: Pick<AuditLog, 'latest'>;
}

const RECENT = 25;

/** Delivered (per alert of the open incidents), pending (being sent, or queued), retrying (queued) and failed notifications, newest first. */
async function recentNotifications(s: IncidentsSources, open: IncidentSummary[]): Promise<NotificationRow[]> {
  const rows: NotificationRow[] = [];
  const seen = new Set<string>();
  const fingerprints = [
    ...new Set(open.flatMap((i) => [...(i.last?.firing ?? []), ...(i.last?.resolved ?? [])].slice(0, 5).map((a) => a.fingerprint))),
  ];
  for (const list of await Promise.all(fingerprints.slice(0, 50).map((fp) => s.incidents.deliveries(fp)))) {
    for (const d of list) {
      const key = `${d.messageId}@${d.at}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push({
        at: d.at,
        ref: d.ref,
        receiver: d.receiver,
        kind: d.kind,
        channel: d.channel,
        state: d.updated ? 'updated' : 'delivered',
        detail: d.status,
      });
    }
  }
  const jobs = await s.notifyQueue.getJobs(['waiting', 'delayed', 'active', 'prioritized'], 0, RECENT - 1);
  for (const job of jobs) {
    const data = job.data as NotifyJob | undefined;
    if (!data?.notification) continue;
    rows.push({
      at: new Date(job.timestamp).toISOString(),
      ref: data.notification.ref,
      receiver: data.notification.receiver,
      kind: data.destination.kind,
      channel: data.destination.key,
      state: job.attemptsMade > 0 ? 'retrying' : 'pending',
      detail: job.failedReason ?? data.notification.status,
    });
  }
  for (const data of await s.sending()) {
    const n = data.notification;
    rows.push({
      at: n.decidedAt,
      ref: n.ref,
      receiver: n.receiver,
      kind: data.destination.kind,
      channel: data.destination.key,
      state: 'pending',
      detail: n.status,
    });
  }
  for (const f of await s.incidents.failed(RECENT)) {
    rows.push({ at: f.at, ref: f.ref, receiver: f.receiver, kind: f.kind, channel: f.destination, state: 'failed', detail: f.error });
  }
  return rows.sort((a, b) => b.at.localeCompare(a.at)).slice(0, RECENT);
}

export async function incidentsPageData(s: IncidentsSources, opts: { admin: boolean }): Promise<IncidentsPageData> {
  const incidents = await s.incidents.open(100);
  const [silences, notifications, audit] = await Promise.all([
    s.silences.list(),
    recentNotifications(s, incidents),
    opts.admin ? s.audit.latest(20) : Promise.resolve(undefined),
  ]);
  return { incidents, silences, notifications, ...(audit && { audit }) };
}

/** The alerts firing now (as last notified) that the matchers would silence. */
export function silencePreview(
  incidents: readonly IncidentSummary[],
  matchers: readonly Matcher[],
): Array<{ incident: IncidentSummary; alert: Alert }> {
  const out: Array<{ incident: IncidentSummary; alert: Alert }> = [];
  for (const incident of incidents)
    for (const alert of incident.last?.firing ?? []) if (matchesAll(matchers, alert.labels)) out.push({ incident, alert });
  return out;
}
