/**
 * Packing deliveries for the ingest script, once, where they are written (intake's group commit,
 * the sink): every alert is routed (group keys cached by the routing), serialised once and packed
 * into one string, and the alerts are gathered per group. The ingest processor then hands the
 * packed strings to Redis as they are: no parse or stringify of alerts on its side.
 *
 * One packed alert: `<status f|r><inhibit source 0|1><startsAt ms>|<endsAt ms>|<fp length>|<fp>`
 * `<source labels length>|<source labels JSON><payload JSON>` — lengths make any fingerprint safe;
 * an unknown start is empty, an unknown end 0.
 * What depends on the time of ingest (resolved by `endsAt`, group_wait 0 for an alert that
 * started long ago, inhibition sources) is decided by the script with its own clock.
 */
import { memoize } from '../../core/memo.ts';
import { isInhibitSource, type InhibitRule } from '../inhibit.ts';
import type { Routing } from '../routing.ts';
import type { IngestDelivery, PackedGroup, PackedIngest } from './types.ts';

export function createIngestPacker(o: { routing: Routing; inhibitRules: readonly InhibitRule[] }) {
  // The alerts of a delivery mostly share their timestamps: each distinct one is parsed once.
  const parse = memoize(Date.parse, 4096);
  /** A timestamp as epoch ms; `absent` when missing or unparsable. */
  const ms = <T>(iso: string | undefined, absent: T): number | T => {
    if (!iso) return absent;
    const t = parse(iso);
    return Number.isFinite(t) ? t : absent;
  };
  return function pack(deliveries: readonly IngestDelivery[]): PackedIngest {
    const groups = new Map<string, PackedGroup>();
    for (const delivery of deliveries) {
      // `{"t":<accepted>,"a":<alert>}`, the delivery's part written once for all its alerts.
      const head = `{"t":${JSON.stringify(delivery.acceptedAt)},"a":`;
      for (const alert of delivery.alerts) {
        const assignments = o.routing.assign(alert);
        if (assignments.length === 0) continue;
        const payload = `${head}${JSON.stringify(alert)}}`;
        const endsAt = ms(alert.endsAt, 0);
        const source = o.inhibitRules.length > 0 && isInhibitSource(o.inhibitRules, alert.labels);
        const labels = source ? JSON.stringify({ l: alert.labels, e: endsAt }) : '';
        const fp = alert.fingerprint;
        const entry = `${alert.status === 'resolved' ? 'r' : 'f'}${source ? '1' : '0'}${ms(alert.startsAt, '')}|${endsAt}|${fp.length}|${fp}${labels.length}|${labels}${payload}`;
        for (const g of assignments) {
          let group = groups.get(g.groupKey);
          if (!group) {
            group = {
              gk: g.groupKey,
              receiver: g.route.receiver,
              route: g.route.id,
              labels: JSON.stringify(g.groupLabels),
              owner: g.owner ?? '',
              waitMs: g.route.groupWaitMs,
              alerts: [],
            };
            groups.set(g.groupKey, group);
          }
          group.alerts.push(entry);
        }
      }
    }
    return { packed: [...groups.values()] };
  };
}

export type IngestPacker = ReturnType<typeof createIngestPacker>;
