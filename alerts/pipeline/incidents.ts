import type { Redis } from 'ioredis';
import type { Alert } from '../model.ts';
import type { Notification } from '../notifiers/types.ts';
import type { PipelineKeys } from './keys.ts';
import type { PipelineScripts } from './scripts.ts';
import type { DeliveryRecord, FailedDelivery } from './types.ts';

/** An open incident as `alerts` lists it. */
export interface IncidentSummary {
  id: string;
  ref: string;
  receiver: string;
  groupLabels: Record<string, string>;
  firing: number;
  resolved: number;
  openedAt: number;
  updatedAt: number;
  ackedBy?: string;
  ackedAt?: number;
  last?: Notification;
}

export type AckResult = { ok: true; incident: IncidentSummary } | { ok: false; reason: 'unknown' | 'closed' };

/** Reads incidents, deliveries and failures; acks incidents (the flush announces the ack). */
export function createIncidents(d: { redis: Redis; keys: PipelineKeys; scripts: PipelineScripts }) {
  const k = d.keys;
  const summary = (h: Record<string, string>): IncidentSummary | undefined => {
    if (!h.id) return undefined;
    return {
      id: h.id,
      ref: h.ref ?? '',
      receiver: h.receiver ?? '',
      groupLabels: JSON.parse(h.labels ?? '{}') as Record<string, string>,
      firing: Number(h.firing ?? 0),
      resolved: Number(h.resolved ?? 0),
      openedAt: Number(h.openedAt ?? 0),
      updatedAt: Number(h.updatedAt ?? 0),
      ...(h.ackedBy ? { ackedBy: h.ackedBy, ackedAt: Number(h.ackedAt) } : {}),
      ...(h.last ? { last: JSON.parse(h.last) as Notification } : {}),
    };
  };
  const api = {
    /** Open incidents, oldest first. */
    async open(limit = 100): Promise<IncidentSummary[]> {
      const ids = await d.redis.zrange(k.incidents, '0', String(limit - 1));
      if (ids.length === 0) return [];
      const tx = d.redis.pipeline();
      for (const id of ids) tx.hgetall(k.incident(id));
      const res = (await tx.exec()) ?? [];
      return res.map(([, h]) => summary(h as Record<string, string>)).filter((x): x is IncidentSummary => Boolean(x));
    },
    async countOpen(): Promise<number> {
      return d.redis.zcard(k.incidents);
    },
    async byRef(ref: string): Promise<IncidentSummary | undefined> {
      const id = await d.redis.get(k.ref(ref.toLowerCase()));
      return id ? summary(await d.redis.hgetall(k.incident(id))) : undefined;
    },
    /** Marks the incident acked and brings its group's flush forward so the message shows it. */
    async ack(ref: string, by: string): Promise<AckResult> {
      const [status] = await d.scripts.ack(k.ref(ref.toLowerCase()), [k.prefix, ref.toLowerCase(), by, Date.now()]);
      if (status !== 'ok') return { ok: false, reason: status === 'closed' ? 'closed' : 'unknown' };
      const incident = await api.byRef(ref);
      return incident ? { ok: true, incident } : { ok: false, reason: 'closed' };
    },
    /** Every alert the incident's group holds now (not only the ones its message shows). */
    async alertsOf(ref: string): Promise<Alert[]> {
      const id = await d.redis.get(k.ref(ref.toLowerCase()));
      const gk = id ? await d.redis.hget(k.incident(id), 'gk') : null;
      if (!gk) return [];
      return (await d.redis.hvals(k.groupAlerts(gk))).map((raw) => (JSON.parse(raw) as { a: Alert }).a);
    },
    /** Labels of the alerts held in groups (up to `limit`), for judging what a new silence would match. */
    async openAlertLabels(limit = 5000): Promise<Array<Record<string, string>>> {
      const out: Array<Record<string, string>> = [];
      let cursor = '0';
      do {
        const [next, gks] = await d.redis.sscan(k.groups, cursor, 'COUNT', 200);
        cursor = next;
        if (gks.length === 0) continue;
        const tx = d.redis.pipeline();
        for (const gk of gks) tx.hvals(k.groupAlerts(gk));
        for (const [, vals] of (await tx.exec()) ?? [])
          for (const raw of vals as string[]) {
            const a = (JSON.parse(raw) as { a: Alert }).a;
            if (a.status === 'firing') out.push(a.labels);
          }
      } while (cursor !== '0' && out.length < limit);
      return out.slice(0, limit);
    },
    async deliveries(fingerprint: string): Promise<DeliveryRecord[]> {
      return (await d.redis.lrange(k.deliveries(fingerprint), 0, -1)).map((s) => JSON.parse(s) as DeliveryRecord);
    },
    async failed(limit = 20): Promise<FailedDelivery[]> {
      return (await d.redis.lrange(k.failed, 0, limit - 1)).map((s) => JSON.parse(s) as FailedDelivery);
    },
  };
  return api;
}

export type Incidents = ReturnType<typeof createIncidents>;
