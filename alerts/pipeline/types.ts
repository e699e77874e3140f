import type { Alert } from '../model.ts';
import type { Notification } from '../notifiers/types.ts';
import type { NflogEntry } from './dedup.ts';

/** One intake delivery (a webhook, a batch from a reconciler) with all its alerts. */
export interface IngestDelivery {
  source: string;
  /** Epoch ms the delivery was accepted. */
  acceptedAt: number;
  alerts: Alert[];
}

/** The alerts of one aggregation group in an ingest write, packed (see `ingest-pack.ts`). */
export interface PackedGroup {
  gk: string;
  receiver: string;
  /** Route id in the tree. */
  route: string;
  /** Group labels (JSON). */
  labels: string;
  owner: string;
  waitMs: number;
  /** Packed alerts. */
  alerts: string[];
}

/** Deliveries routed and packed where they were written, gathered per group. */
export interface PackedIngest {
  packed: PackedGroup[];
}

/**
 * What the ingest processor applies: the deliveries intake committed together (group commit),
 * packed. Queued ingest jobs of earlier versions carry the same, or deliveries (or a single
 * delivery's fields) instead, which the processor packs itself.
 */
export type IngestJob = PackedIngest | { deliveries: IngestDelivery[] } | IngestDelivery;

/** Where a receiver sends: one notifier kind and its settings. */
export interface Destination {
  kind: string;
  /** Stable id of the destination (rate limits, message refs): `slack:#ops`, `webhook:<hash>`. */
  key: string;
  config: Record<string, unknown>;
}

export interface NotifyJob {
  notification: Notification;
  destination: Destination;
  /** The notification-log entry the notify worker writes for this destination once delivered. */
  log?: NflogEntry;
}

/** One delivery as the deliveries view and the CLI show it. */
export interface DeliveryRecord {
  receiver: string;
  kind: string;
  channel: string;
  messageId: string;
  incidentId: string;
  ref: string;
  status: 'firing' | 'resolved';
  updated: boolean;
  at: string;
}

/** A delivery that gave up, kept for `alerts failed` and the CLI. */
export interface FailedDelivery {
  notificationId: string;
  receiver: string;
  kind: string;
  destination: string;
  ref: string;
  error: string;
  attempts: number;
  at: string;
}

/** What the flush decided for a group, for benchmarks and tracing. */
export interface DecisionEvent {
  gk: string;
  receiver: string;
  /** The group's labels (`group_by` values). */
  groupLabels: Record<string, string>;
  notify: boolean;
  reason: string;
  /** The decision per destination of the receiver (each has its own notification log). */
  destinations: Array<{ key: string; notify: boolean; reason: string }>;
  /** Earliest acceptance among alerts changed since the last flush (epoch ms). */
  acceptedAt?: number;
  decidedAt: number;
}
