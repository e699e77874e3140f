/**
 * The notification-log diff, exactly Alertmanager's `DedupStage.needsUpdate`, plus acks: one
 * entry per (group, destination) remembers which alerts the destination was last told were
 * firing and resolved, and when. It is written only once a delivery succeeded (or there was
 * nothing to send), like Alertmanager's `SetNotifiesStage`.
 */
export interface NflogEntry {
  firing: string[];
  resolved: string[];
  /** Epoch ms of the last notification. */
  at: number;
  /** Who had acked the incident when the receiver was last told. */
  ackedBy?: string;
  /** The group generation that decided it: an entry never replaces one with a higher seq. */
  seq?: number;
}

export type DedupReason =
  | 'first'
  | 'firing-changed'
  | 'all-resolved'
  | 'resolved-changed'
  | 'repeat'
  | 'ack'
  | 'unchanged'
  | 'nothing-firing'
  | 'acked'
  /** The destination's previous delivery is still being tried: decided again once it is over. */
  | 'in-flight';

export interface DedupInput {
  entry?: NflogEntry;
  firing: ReadonlySet<string>;
  resolved: ReadonlySet<string>;
  sendResolved: boolean;
  repeatIntervalMs: number;
  now: number;
  /** Who acked the open incident, if anyone: an ack is announced once and stops repeats. */
  ackedBy?: string;
}

/** Whether the receiver must hear about the group now, and why. */
export function needsUpdate(i: DedupInput): { notify: boolean; reason: DedupReason } {
  const { entry, firing, resolved } = i;
  if (!entry) return firing.size > 0 ? { notify: true, reason: 'first' } : { notify: false, reason: 'nothing-firing' };
  const sent = new Set(entry.firing);
  for (const fp of firing) if (!sent.has(fp)) return { notify: true, reason: 'firing-changed' };
  // Everything resolved: tell the receiver (send_resolved or not, the log must forget the firing set),
  // unless it never heard of anything firing.
  if (firing.size === 0)
    return entry.firing.length > 0 ? { notify: true, reason: 'all-resolved' } : { notify: false, reason: 'nothing-firing' };
  if (i.sendResolved) {
    const sentResolved = new Set(entry.resolved);
    for (const fp of resolved) if (!sentResolved.has(fp)) return { notify: true, reason: 'resolved-changed' };
  }
  if (i.ackedBy && i.ackedBy !== entry.ackedBy) return { notify: true, reason: 'ack' };
  if (i.ackedBy) return { notify: false, reason: 'acked' };
  return entry.at <= i.now - i.repeatIntervalMs ? { notify: true, reason: 'repeat' } : { notify: false, reason: 'unchanged' };
}

/**
 * Flapping damping: an alert whose status changed `threshold` times within `windowMs` is
 * flapping; while it flaps a resolution is held back (it stays firing for the receiver).
 */
export function isFlapping(flips: readonly number[], now: number, threshold: number, windowMs: number): boolean {
  if (threshold <= 0) return false;
  let n = 0;
  for (const t of flips) if (t > now - windowMs) n++;
  return n >= threshold;
}
