import type { Logger } from '../../core/logger.ts';
import type { KnowledgeLinks } from '../knowledge.ts';
import type { Alert } from '../model.ts';
import type { KnowledgeLink, Notification } from '../notifiers/types.ts';

/** An alert as the flush holds it: when it was accepted and whether it is flapping. */
export interface Held {
  alert: Alert;
  acceptedAt: number;
  flapping: boolean;
}

const severityRank = { critical: 0, warning: 1, info: 2 } as const;
const byImportance = (a: Held, b: Held) =>
  severityRank[a.alert.severity] - severityRank[b.alert.severity] || b.alert.startsAt.localeCompare(a.alert.startsAt);

/** What a notification is built from: one group at one generation. */
export interface NotificationInput {
  gk: string;
  gen: number;
  incidentId: string;
  ref: string;
  meta: Record<string, string>;
  firing: Held[];
  resolved: Held[];
  sendResolved: boolean;
  now: number;
  acceptedAt?: number;
}

/**
 * Builds the notification of one flush: the top N firing and resolved alerts by severity, the
 * counts, knowledge links and the last resolution note (a failing lookup is logged, not fatal).
 */
export function createNotificationBuilder(d: { knowledge: KnowledgeLinks; logger: Logger; topN: number }) {
  return async function buildNotification(i: NotificationInput): Promise<Notification> {
    const firing = [...i.firing].sort(byImportance).slice(0, d.topN);
    const resolved = i.sendResolved ? [...i.resolved].sort(byImportance).slice(0, d.topN) : [];
    const knowledge: KnowledgeLink[] = [];
    const seen = new Set<string>();
    const sample = firing.length > 0 ? firing : resolved;
    for (const h of sample.slice(0, 5)) {
      try {
        for (const link of await d.knowledge.linksFor(h.alert)) {
          if (seen.has(link.url) || knowledge.length >= 5) continue;
          seen.add(link.url);
          knowledge.push(link);
        }
      } catch (err) {
        d.logger.warn({ err, gk: i.gk }, 'knowledge links failed');
      }
    }
    let lastResolution: Notification['lastResolution'];
    if (sample[0]) {
      try {
        lastResolution = await d.knowledge.lastResolution(sample[0].alert);
      } catch (err) {
        d.logger.warn({ err, gk: i.gk }, 'last resolution lookup failed');
      }
    }
    return {
      id: `${i.gk}.${i.gen}`,
      receiver: i.meta.receiver ?? '',
      groupKey: i.gk,
      incidentId: i.incidentId,
      ref: i.ref,
      seq: i.gen,
      groupLabels: JSON.parse(i.meta.labels ?? '{}') as Record<string, string>,
      status: i.firing.length > 0 ? 'firing' : 'resolved',
      firing: firing.map((h) => h.alert),
      resolved: resolved.map((h) => h.alert),
      counts: { firing: i.firing.length, resolved: i.sendResolved ? i.resolved.length : 0 },
      ...(i.meta.ackedBy ? { acked: { by: i.meta.ackedBy, at: new Date(Number(i.meta.ackedAt)).toISOString() } } : {}),
      ...(i.firing.some((h) => h.flapping) ? { flapping: true } : {}),
      ...(i.meta.owner ? { owner: i.meta.owner } : {}),
      knowledge,
      ...(lastResolution ? { lastResolution } : {}),
      decidedAt: new Date(i.now).toISOString(),
      ...(i.acceptedAt !== undefined ? { acceptedAt: new Date(i.acceptedAt).toISOString() } : {}),
    };
  };
}
