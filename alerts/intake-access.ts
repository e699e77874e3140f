import type { AlertsConfig } from './config-schema.ts';
import type { Source, SourceOptions } from './sources/types.ts';

/**
 * How a source is protected: `token` (per-source bearer tokens), `own` (the format's own
 * credential: Sentry DSN keys, webhook client secrets), `open` (listed in `alerts.sources.open`,
 * no credential) or `closed` (neither: every delivery answers 401).
 */
export type IntakeAccess = 'token' | 'own' | 'open' | 'closed';

export function intakeAccess(source: Source, config: AlertsConfig, options: SourceOptions): IntakeAccess {
  const credentialed = source.bearerAuth ? (config.sources.tokens[source.name] ?? []).length > 0 : (source.credentialed?.(options) ?? true);
  if (credentialed) return source.bearerAuth ? 'token' : 'own';
  return config.sources.open.includes(source.name) ? 'open' : 'closed';
}

/** The 401 message of a closed source: what to configure to open it. */
export function closedSourceMessage(source: Source): string {
  const credential = source.bearerAuth
    ? `alerts.sources.tokens.${source.name}`
    : source.name.startsWith('sentry-webhook')
      ? 'alerts.sources.sentryWebhookSecrets'
      : 'alerts.sources.sentryProjects';
  return `this intake takes no deliveries until ${credential} is configured (or alerts.sources.open lists ${source.name})`;
}
