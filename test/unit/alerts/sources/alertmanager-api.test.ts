import { describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../../../alerts/model.ts';
import { parseAlertmanager } from '../../../../alerts/sources/alertmanager.ts';
import { parseAlertmanagerApi } from '../../../../alerts/sources/alertmanager-api.ts';
import type { IntakeResult } from '../../../../alerts/sources/types.ts';
import { RECEIVED_AT, fixtureJson, intakeRequest } from './intake-request.ts';

function ok(result: IntakeResult) {
  if (!result.ok) throw new Error(`expected ok, got ${result.status} ${result.error} ${JSON.stringify(result.details)}`);
  return result;
}

const labels = { alertname: 'KubePodCrashLooping', namespace: 'db', pod: 'mysql-0', severity: 'critical' };

describe('POST /api/v2/alerts (what Prometheus sends an Alertmanager)', () => {
  it('takes Prometheus alerts with Alertmanager semantics: fingerprint, status from endsAt, defaults', async () => {
    const { alerts } = ok(
      await parseAlertmanagerApi(
        intakeRequest([
          {
            labels,
            annotations: { summary: 'crash looping', runbook_url: 'https://runbooks.example/crash' },
            startsAt: '2026-11-26T21:00:00Z',
            endsAt: '2026-11-26T21:14:00.5Z',
            generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
          },
          { labels: { alertname: 'Gone' }, startsAt: '2026-11-26T20:00:00Z', endsAt: '2026-11-26T21:05:00Z' },
          { labels: { alertname: 'NoTimes' } },
        ]),
        {},
      ),
    );
    expect(alerts).toHaveLength(3);
    expect(alerts[0]).toMatchObject({
      source: 'prometheus',
      fingerprint: fingerprintOf(labels),
      status: 'firing',
      severity: 'critical',
      startsAt: '2026-11-26T21:00:00.000Z',
      endsAt: '2026-11-26T21:14:00.500Z',
      subject: { namespace: 'db', pod: 'mysql-0' },
      links: { runbook: 'https://runbooks.example/crash', generator: 'http://prometheus:9090/graph?g0.expr=up' },
    });
    expect(alerts[1]).toMatchObject({ status: 'resolved', endsAt: '2026-11-26T21:05:00.000Z' });
    // No times: starts now, ends after resolve_timeout (300 s by default) unless posted again.
    expect(alerts[2]).toMatchObject({
      status: 'firing',
      startsAt: RECEIVED_AT.toISOString(),
      endsAt: new Date(RECEIVED_AT.getTime() + 300_000).toISOString(),
    });
    const custom = ok(await parseAlertmanagerApi(intakeRequest([{ labels: { alertname: 'X' } }]), { resolveTimeoutSeconds: 60 }));
    expect(custom.alerts[0]?.endsAt).toBe(new Date(RECEIVED_AT.getTime() + 60_000).toISOString());
  });

  it('gives the same alert the same fingerprint as the Alertmanager webhook does', async () => {
    const webhook = ok(await parseAlertmanager(intakeRequest(fixtureJson('alertmanager-firing-resolved.json')), {}));
    const first = webhook.alerts[0]!;
    const api = ok(await parseAlertmanagerApi(intakeRequest([{ labels: first.labels, startsAt: first.startsAt }]), {}));
    expect(api.alerts[0]?.fingerprint).toBe(fingerprintOf(first.labels));
  });

  it('answers 400 with paths for what Alertmanager refuses', async () => {
    const cases: Array<[unknown, string]> = [
      [{ labels }, '(body)'],
      [[{ labels: {} }], '[0].labels'],
      [[{ labels, startsAt: 'yesterday' }], '[0].startsAt'],
      [[{ labels, startsAt: '2026-11-26T21:00:00Z', endsAt: '2026-11-26T20:00:00Z' }], '[0].endsAt'],
      [[{ labels: { alertname: 7 } }], '[0].labels.alertname'],
    ];
    for (const [body, path] of cases) {
      const result = await parseAlertmanagerApi(intakeRequest(body as object), {});
      expect(result.ok, JSON.stringify(body)).toBe(false);
      if (!result.ok) expect(result.details?.map((d) => d.path)).toContain(path);
    }
  });
});
