import type { Config } from './config-schema.ts';
import { intakeAccess } from '../alerts/intake-access.ts';
import { sourceOptions } from '../alerts/intake-routes.ts';
import { sources } from '../alerts/sources/index.ts';

/** One start-up warning about something reachable without a credential. */
export interface AccessWarning {
  message: string;
  detail: Record<string, unknown>;
}

/**
 * What this configuration leaves open, one warning each: the API opened by `alerts.api.open`,
 * every intake source listed in `alerts.sources.open`, API tokens without a name.
 */
export function openAccessWarnings(config: Config): AccessWarning[] {
  const out: AccessWarning[] = [];
  const a = config.alerts;
  if (a.apiTokens.length === 0 && a.api.open)
    out.push({ message: 'the HTTP API is open to anyone who can reach the port (alerts.api.open)', detail: { routes: '/api/*' } });
  const options = sourceOptions(a);
  for (const source of sources)
    if (intakeAccess(source, a, options) === 'open')
      out.push({
        message: `intake source ${source.name} takes deliveries without a credential (alerts.sources.open)`,
        detail: { source: source.name, routes: source.routes },
      });
  const unnamed = a.apiTokens.filter((t) => /^api-token-\d+$/.test(t.name)).length;
  if (unnamed > 0)
    out.push({
      message: 'API tokens without a name act as api-token-<n>: give each one a name (alerts.apiTokens: [{name, token}])',
      detail: { unnamed },
    });
  return out;
}

/**
 * The embedded demo's configuration: loopback only, a private Redis, and everything open that the
 * file does not protect (the API and every intake source without a credential), so it works with
 * no setup. The only mode that opens anything by default.
 */
export function demoConfig(config: Config): Config {
  return {
    ...config,
    server: { ...config.server, host: '127.0.0.1' },
    redis: { ...config.redis, embedded: true },
    alerts: {
      ...config.alerts,
      api: { ...config.alerts.api, open: true },
      sources: { ...config.alerts.sources, open: sources.map((s) => s.name) },
    },
  };
}
