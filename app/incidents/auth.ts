import { tokenMatcher } from '../../core/api-auth.ts';
import type { Config } from '../config-schema.ts';
import type { PageViewer } from './routes.ts';

/**
 * Who may see the incidents page: the holders of the API's tokens (`alerts.apiTokens`), under the
 * token's name, who may do everything the API does and so see the audit tail too. Without tokens
 * the page is closed like the API, unless `alerts.api.open` opens both to `anonymous` (without the
 * audit tail).
 */
export function incidentsViewer(config: Config): (token: string | undefined) => PageViewer | undefined {
  const tokens = config.alerts.apiTokens;
  const open = config.alerts.api.open && tokens.length === 0;
  const matchToken = tokenMatcher(tokens);
  return (token) => {
    const match = matchToken(token);
    if (match) return { name: match.name, admin: true };
    return open ? { name: 'anonymous', admin: false } : undefined;
  };
}
