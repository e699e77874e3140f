import { describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../../../alerts/model.ts';
import { parseGeneric } from '../../../../alerts/sources/generic.ts';
import { RECEIVED_AT, intakeRequest } from './intake-request.ts';

describe('generic webhook', () => {
  it('accepts one alert with defaults', async () => {
    const result = await parseGeneric(
      intakeRequest({ title: 'Backup failed', severity: 'P1', labels: { instance: '10.0.3.17:9100', namespace: 'db' } }),
      {},
    );
    expect(result).toMatchObject({
      ok: true,
      alerts: [
        {
          source: 'generic',
          status: 'firing',
          severity: 'critical',
          startsAt: RECEIVED_AT.toISOString(),
          labels: { alertname: 'Backup failed', severity: 'P1', namespace: 'db' },
          annotations: { summary: 'Backup failed' },
          subject: { namespace: 'db', ip: '10.0.3.17' },
        },
      ],
    });
    if (result.ok) expect(result.alerts[0]?.fingerprint).toBe(fingerprintOf(result.alerts[0]?.labels ?? {}));
  });

  it('accepts a list with explicit fingerprint, source and resolution', async () => {
    const result = await parseGeneric(
      intakeRequest([
        {
          title: 'Disk check',
          status: 'resolved',
          fingerprint: 'disk:node-7',
          source: 'cron',
          annotations: { runbook_url: 'https://kb.example.com/disk' },
        },
        { title: 'TCP retransmits high', severity: 'warning', labels: { node: 'node-3' } },
      ]),
      {},
    );
    expect(result).toMatchObject({
      ok: true,
      alerts: [
        {
          source: 'cron',
          fingerprint: 'disk:node-7',
          status: 'resolved',
          endsAt: RECEIVED_AT.toISOString(),
          links: { runbook: 'https://kb.example.com/disk' },
        },
        { source: 'generic', severity: 'warning', subject: { node: 'node-3' } },
      ],
    });
  });

  it('rejects wrong types with paths', async () => {
    const result = await parseGeneric(intakeRequest([{ title: 'ok' }, { title: '', status: 'burning', labels: { a: 1 } }]), {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.details?.map((d) => d.path).sort()).toEqual(['[1].labels.a', '[1].status', '[1].title']);
    expect(await parseGeneric(intakeRequest([]), {})).toMatchObject({ ok: false, status: 400 });
    expect(await parseGeneric(intakeRequest({ title: 'x', source: 'has spaces' }), {})).toMatchObject({
      ok: false,
      details: [{ path: 'source' }],
    });
  });

  it('gives a firing alert without endsAt an end after resolve_timeout (Alertmanager), keeping explicit ends', async () => {
    const result = await parseGeneric(
      intakeRequest([{ title: 'NoEnd' }, { title: 'HasEnd', endsAt: '2030-01-01T00:00:00Z' }, { title: 'Done', status: 'resolved' }]),
      { resolveTimeoutSeconds: 60 },
    );
    expect(result.ok && result.alerts.map((a) => a.endsAt)).toEqual([
      new Date(RECEIVED_AT.getTime() + 60_000).toISOString(),
      '2030-01-01T00:00:00.000Z',
      RECEIVED_AT.toISOString(),
    ]);
    const byDefault = await parseGeneric(intakeRequest({ title: 'NoEnd' }), {});
    expect(byDefault.ok && byDefault.alerts[0]!.endsAt).toBe(new Date(RECEIVED_AT.getTime() + 300_000).toISOString());
  });
});
