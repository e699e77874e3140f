import type { Alert } from '../model.ts';

/** A knowledge-base or runbook link shown with an alert. */
export interface KnowledgeLink {
  title: string;
  url: string;
  id?: string;
}

/** How an incident was resolved last time ("last time: … (by …, date)"). */
export interface LastResolution {
  text: string;
  author: string;
  at: string;
}

/**
 * One message's worth of a group: what the flush stage decided to tell one receiver. The notify
 * worker hands it to the receiver's notifier, which posts it (first time) or updates the message
 * it posted before for the same incident.
 */
export interface Notification {
  /** Unique per decision; the idempotency key of the delivery. */
  id: string;
  receiver: string;
  /** Stable id of the aggregation group (route + group labels). */
  groupKey: string;
  /** One incident = one message, updated in place until the group fully resolves. */
  incidentId: string;
  /** Short reference users type in chat (`ack 7f3a`). */
  ref: string;
  /**
   * Increases with every notification of the incident: a notifier (and the notify worker) never
   * lets an older one overwrite a newer message.
   */
  seq: number;
  /** Owner channel of the group when its receiver routes by owner (`firstmate.io/channel`). */
  owner?: string;
  groupLabels: Record<string, string>;
  status: 'firing' | 'resolved';
  firing: Alert[];
  resolved: Alert[];
  /** Totals before truncation: storm summaries show counts and the top entries only. */
  counts: { firing: number; resolved: number };
  acked?: { by: string; at: string };
  flapping?: boolean;
  knowledge: KnowledgeLink[];
  lastResolution?: LastResolution;
  /** ISO time the flush decided this. */
  decidedAt: string;
  /** ISO time the earliest alert in it was accepted (end-to-end latency). */
  acceptedAt?: string;
}

/** What a notifier remembers about a posted message so it can update it later. */
export interface MessageRef {
  /** Platform message id (Slack `ts`, webhook echo id, …). */
  id: string;
  /** Where it was posted (Slack channel id, robot name, URL). */
  channel: string;
}

/** A delivery failure that may succeed later; `retryAfterMs` honours the platform's Retry-After. */
export class RetryableError extends Error {
  override name = 'RetryableError';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A message `Notifier.find` found: its ref and the notification it shows now. */
export interface FoundMessage extends MessageRef {
  /** Id of the notification the message was posted (or last updated) with. */
  notificationId: string;
  /** That notification's `seq`. */
  seq: number;
}

/**
 * Delivers notifications to one kind of destination. `send` posts a new message when `previous`
 * is absent and updates (or, where the platform cannot edit, follows up on) it otherwise.
 * Throws `RetryableError` for 429/5xx/network problems and `TerminalError` for permanent ones.
 */
export interface Notifier {
  kind: string;
  send(destination: Record<string, unknown>, notification: Notification, previous?: MessageRef): Promise<MessageRef>;
  /**
   * Optional, for platforms that can read their messages back: the newest message at
   * `destination` posted since `sinceMs` (epoch ms) for the notification's incident (this
   * notification or an earlier one of it), or `undefined` when there is none. The notify worker
   * asks before a first post that may repeat one lost in a crash. Throws like `send`.
   */
  find?(destination: Record<string, unknown>, notification: Notification, sinceMs: number): Promise<FoundMessage | undefined>;
}
