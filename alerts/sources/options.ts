/**
 * Settings of the intake formats, as a schema the configuration can embed (the type is inferred,
 * never written twice). Every field is optional; an empty object is a valid, permissive setup.
 */
import { z } from 'zod';

export const sourceOptionsSchema = z.object({
  /**
   * Sentry SDK projects and their public DSN keys. When absent or empty, any project and any key are
   * accepted; otherwise the project must be listed and the key must be one of its keys.
   */
  sentryProjects: z.record(z.string().regex(/^[\w-]{1,64}$/), z.object({ keys: z.array(z.string().min(1).max(256)).min(1) })).optional(),
  /** Client secrets of the Sentry integration; when non-empty, `Sentry-Hook-Signature` must match one. */
  sentryWebhookSecrets: z.array(z.string().min(1)).optional(),
  /**
   * Oldest `Sentry-Hook-Timestamp` accepted, in seconds (default 300); older deliveries are
   * refused as replays.
   */
  sentryWebhookMaxAgeSeconds: z.number().int().positive().optional(),
  /** Cluster name put on Kubernetes event alerts that carry none. */
  cluster: z.string().min(1).max(256).optional(),
  /**
   * How long an alert from a one-off Kubernetes event (eviction, OOM kill, probe failure…) stays
   * firing after the event was last seen; default 3600. Conditions (node not ready, pressure) last
   * until their counterpart event instead.
   */
  kubernetesEventTtlSeconds: z
    .number()
    .int()
    .positive()
    .max(30 * 86400)
    .optional(),
  /**
   * Alertmanager's `resolve_timeout`: an alert posted to `POST /api/v2/alerts`, the generic
   * webhook or as a Sentry issue/event alert without `endsAt` resolves this long after it was last
   * posted; default 300.
   */
  resolveTimeoutSeconds: z
    .number()
    .int()
    .positive()
    .max(30 * 86400)
    .optional(),
  /** Most alerts (or Sentry events) one delivery may carry; default 10,000. */
  maxAlerts: z.number().int().positive().max(1_000_000).optional(),
  /** Most bytes a compressed body may inflate to; default 16 MiB. */
  maxInflatedBytes: z.number().int().positive().optional(),
});

/** Per-deployment settings the parsers need. */
export type SourceOptions = z.infer<typeof sourceOptionsSchema>;

/** Alertmanager's default `resolve_timeout`. */
export const DEFAULT_RESOLVE_TIMEOUT_SECONDS = 300;

/**
 * Gives a firing alert with no known end an `endsAt` of `receivedAt + resolve_timeout`, as
 * Alertmanager does for alerts posted without one: it resolves instead of firing (and
 * inhibiting) forever when its sender never says it is over.
 */
export function withResolveTimeout<A extends { status: string; endsAt?: string }>(alert: A, receivedAt: Date, options: SourceOptions): A {
  if (alert.status !== 'firing' || alert.endsAt !== undefined) return alert;
  alert.endsAt = new Date(receivedAt.getTime() + (options.resolveTimeoutSeconds ?? DEFAULT_RESOLVE_TIMEOUT_SECONDS) * 1000).toISOString();
  return alert;
}
