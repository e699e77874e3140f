import { describe, expect, it } from 'vitest';
import { sources } from '../../../../alerts/sources/index.ts';

describe('source registry', () => {
  it('lists every route once, with unique names', () => {
    expect(sources.map((s) => s.name)).toEqual([
      'alertmanager',
      'prometheus',
      'sentry-envelope',
      'sentry-store',
      'sentry-webhook',
      'kubernetes',
      'generic',
    ]);
    const routes = sources.flatMap((s) => s.routes);
    expect(new Set(routes).size).toBe(routes.length);
    expect(routes).toEqual(
      expect.arrayContaining([
        '/webhooks/alertmanager',
        '/api/v2/alerts',
        '/api/:projectId/envelope/',
        '/api/:projectId/store/',
        '/webhooks/sentry',
        '/webhooks/kubernetes',
        '/webhooks/generic',
      ]),
    );
    expect(sources.filter((s) => !s.bearerAuth).map((s) => s.name)).toEqual(['sentry-envelope', 'sentry-store', 'sentry-webhook']);
  });
});
