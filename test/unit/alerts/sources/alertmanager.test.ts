import { describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../../../alerts/model.ts';
import { parseAlertmanager } from '../../../../alerts/sources/alertmanager.ts';
import type { IntakeResult } from '../../../../alerts/sources/types.ts';
import { fixture, fixtureJson, intakeRequest } from './intake-request.ts';

function ok(result: IntakeResult) {
  if (!result.ok) throw new Error(`expected ok, got ${result.status} ${result.error} ${JSON.stringify(result.details)}`);
  return result;
}

describe('Alertmanager webhook', () => {
  it('normalises a firing and a resolved alert as Alertmanager 0.25+ sends them', async () => {
    const { alerts, events } = ok(await parseAlertmanager(intakeRequest(fixture('alertmanager-firing-resolved.json')), {}));
    expect(events).toEqual([]);
    expect(alerts).toHaveLength(2);
    const [firing, resolved] = alerts;
    expect(firing).toMatchObject({
      source: 'alertmanager',
      fingerprint: '3ab3d4f0c1e2a9b7',
      status: 'firing',
      severity: 'warning',
      startsAt: '2026-11-26T21:04:35.123Z',
      subject: { cluster: 'prod-sh-1', namespace: 'db', pod: 'mysql-0', workload: 'mysql' },
      links: {
        runbook: 'https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping',
      },
    });
    // instance/job are kube-state-metrics' own address and scrape job, not the pod's.
    expect(firing?.subject.ip).toBeUndefined();
    expect(firing?.endsAt).toBeUndefined();
    expect(firing?.links.generator).toMatch(/^http:\/\/prometheus-k8s-0:9090\/graph\?g0\.expr=/);
    expect(firing?.labels.reason).toBe('CrashLoopBackOff');
    expect(resolved).toMatchObject({
      status: 'resolved',
      severity: 'critical',
      endsAt: '2026-11-26T13:09:05.500Z',
      subject: { node: 'node-7.prod.internal' },
    });
    expect(resolved?.subject.ip).toBeUndefined();
  });

  it('computes the Alertmanager fingerprint when it is absent', async () => {
    const { alerts } = ok(await parseAlertmanager(intakeRequest(fixture('alertmanager-firing-resolved.json')), {}));
    const resolved = alerts[1];
    expect(resolved?.fingerprint).toBe(fingerprintOf(resolved?.labels ?? {}));
    // Vectors from prometheus/common model tests: LabelSet.Fingerprint().
    const vectors: Array<[Record<string, string>, bigint]> = [
      [{}, 14695981039346656037n],
      [{ first_name: 'electro', occupation: 'robot', manufacturer: 'westinghouse' }, 5911716720268894962n],
      [{ x: 'y' }, 8241431561484471700n],
    ];
    for (const [labels, want] of vectors) {
      const payload = fixtureJson('alertmanager-firing-resolved.json');
      payload.alerts = [
        { status: 'firing', labels, annotations: {}, startsAt: '2026-11-26T21:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '' },
      ];
      const [alert] = ok(await parseAlertmanager(intakeRequest(payload), {})).alerts;
      expect(alert?.fingerprint).toBe(want.toString(16).padStart(16, '0'));
    }
  });

  it('accepts an escaped receiver, truncatedAlerts and no alerts at all', async () => {
    const payload = fixtureJson('alertmanager-firing-resolved.json');
    expect(payload.receiver).toBe('team/platform "oncall"');
    payload.alerts = [];
    payload.truncatedAlerts = 1200;
    expect(ok(await parseAlertmanager(intakeRequest(payload), {})).alerts).toEqual([]);
  });

  it('rejects wrong shapes with the path of every problem', async () => {
    const payload = fixtureJson<{ alerts: Array<Record<string, unknown>> } & Record<string, unknown>>('alertmanager-firing-resolved.json');
    payload.version = '3';
    (payload.alerts[1] as { labels: Record<string, unknown> }).labels.severity = 5;
    payload.alerts[0]!.startsAt = 'yesterday';
    payload.alerts[0]!.fingerprint = 'XYZ';
    const result = await parseAlertmanager(intakeRequest(payload), {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(400);
    expect(result.details?.map((d) => d.path).sort()).toEqual([
      'alerts[0].fingerprint',
      'alerts[0].startsAt',
      'alerts[1].labels.severity',
      'version',
    ]);
  });

  it('enforces the per-delivery alert limit and label bounds', async () => {
    const payload = fixtureJson<{ alerts: unknown[] } & Record<string, unknown>>('alertmanager-firing-resolved.json');
    const one = payload.alerts[0];
    payload.alerts = Array.from({ length: 11 }, () => one);
    const tooMany = await parseAlertmanager(intakeRequest(payload), { maxAlerts: 10 });
    expect(tooMany).toMatchObject({ ok: false, status: 400, details: [{ path: 'alerts' }] });
    payload.alerts = [{ ...(one as object), labels: { alertname: 'x'.repeat(9000) } }];
    expect(await parseAlertmanager(intakeRequest(payload), {})).toMatchObject({
      ok: false,
      details: [{ path: 'alerts[0].labels.alertname' }],
    });
    const many = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`l${i}`, 'v']));
    payload.alerts = [{ ...(one as object), labels: many }];
    expect(await parseAlertmanager(intakeRequest(payload), {})).toMatchObject({
      ok: false,
      details: [{ path: 'alerts[0].labels', message: 'more than 128 labels' }],
    });
  });
});
