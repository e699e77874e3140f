import type { FastifyInstance } from 'fastify';
import type { ErrorBody, HttpPlugin } from '../core/http.ts';
import { bearerToken, tokenCheck } from './auth.ts';

/**
 * `GET /api/v2/status` in Alertmanager's shape, so tools that look for an Alertmanager (Prometheus'
 * `alerting.alertmanagers`, Grafana, amtool) find one: no gossip cluster (state is shared through
 * Redis instead), the version, the start time. Behind the same bearer tokens as `POST /api/v2/alerts`
 * (open only when `alerts.sources.open` lists `prometheus` and it has no tokens).
 */
export function createAlertmanagerStatusRoute(o: { tokens: readonly string[]; open?: boolean; startedAt?: Date }): HttpPlugin {
  const open = Boolean(o.open) && o.tokens.length === 0;
  const uptime = (o.startedAt ?? new Date()).toISOString();
  const allowed = tokenCheck(o.tokens);
  return (app: FastifyInstance) => {
    app.get('/api/v2/status', async (req, res) => {
      if (!open && !allowed(bearerToken(req.headers, (req.query ?? {}) as Record<string, unknown>))) {
        return res
          .status(401)
          .header('www-authenticate', 'Bearer')
          .send({ error: 'missing or wrong bearer token' } satisfies ErrorBody);
      }
      return {
        cluster: { status: 'disabled', peers: [] },
        versionInfo: { version: 'firstmate', revision: '', branch: '', buildUser: '', buildDate: '', goVersion: '' },
        config: { original: '' },
        uptime,
      };
    });
  };
}
