/**
 * The compiled validators accept nothing the zod schemas refuse: each delivery here fails zod in
 * a way a looser JSON schema would let through, and must come back as a 400 with zod's path.
 */
import { describe, expect, it } from 'vitest';
import { parseAlertmanager } from '../../../../alerts/sources/alertmanager.ts';
import { parseAlertmanagerApi } from '../../../../alerts/sources/alertmanager-api.ts';
import { fixtureJson, intakeRequest } from './intake-request.ts';

const webhook = fixtureJson<{ alerts: Array<Record<string, unknown>> } & Record<string, unknown>>('alertmanager-firing-resolved.json');
const withAlert = (patch: Record<string, unknown>) => ({ ...webhook, alerts: [{ ...webhook.alerts[0], ...patch }] });
/** 8192 characters but 16384 UTF-16 code units: zod counts code units. */
const wide = '😀'.repeat(8192);

describe('compiled intake validators', () => {
  it('refuse exactly what zod refuses in Alertmanager webhooks, with zod’s details', async () => {
    const cases: Array<[unknown, string]> = [
      [withAlert({ labels: { alertname: 'x', wide } }), 'alerts[0].labels.wide'],
      [withAlert({ labels: { alertname: 'x', '': 'empty name' } }), 'alerts[0].labels[""]'],
      [withAlert({ labels: Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`l${i}`, 'v'])) }), 'alerts[0].labels'],
      [withAlert({ startsAt: '2026-02-30T00:00:00Z' }), 'alerts[0].startsAt'],
      [withAlert({ fingerprint: '3AB3D4F0C1E2A9B7' }), 'alerts[0].fingerprint'],
      [withAlert({ endsAt: null }), 'alerts[0].endsAt'],
      [{ ...webhook, truncatedAlerts: 1.5 }, 'truncatedAlerts'],
      [{ ...webhook, version: 4 }, 'version'],
      [{ ...webhook, commonAnnotations: { x: 1 } }, 'commonAnnotations.x'],
    ];
    for (const [body, path] of cases) {
      const result = await parseAlertmanager(intakeRequest(body as object), {});
      expect(result.ok, path).toBe(false);
      if (!result.ok) expect(result.details?.map((d) => d.path)).toContain(path);
    }
    expect((await parseAlertmanager(intakeRequest(webhook), { maxAlerts: 1 })).ok).toBe(false);
  });

  it('refuse exactly what zod refuses in /api/v2/alerts', async () => {
    const cases: Array<[unknown, string]> = [
      [[{ labels: { alertname: 'x', wide } }], '[0].labels.wide'],
      [[{ labels: { alertname: 'x' }, endsAt: '2026-11-26T25:00:00Z' }], '[0].endsAt'],
      [[{ labels: { alertname: 'x' }, generatorURL: 5 }], '[0].generatorURL'],
      [[{ labels: { alertname: 'x' }, annotations: [] }], '[0].annotations'],
    ];
    for (const [body, path] of cases) {
      const result = await parseAlertmanagerApi(intakeRequest(body as object), {});
      expect(result.ok, path).toBe(false);
      if (!result.ok) expect(result.details?.map((d) => d.path)).toContain(path);
    }
  });
});
