import { tokenAllowed } from '../../alerts/auth.ts';
import type { Config } from '../config-schema.ts';
import type { PageViewer } from './routes.ts';

/**
 * Who may see the incidents page: the holders of the API's tokens (`alerts.apiTokens`), who may
 * do everything the API does and so see the audit tail too. Without tokens the API is open, and
 * so is the page, to `anonymous`, without the audit tail.
 */
export function incidentsViewer(config: Config): (token: string | undefined) => PageViewer | undefined {
  const tokens = config.alerts.apiTokens;
  return (token) => {
    if (tokens.length === 0) return { name: 'anonymous', admin: false };
    return tokenAllowed(tokens, token) ? { name: 'api-token', admin: true } : undefined;
  };
}
