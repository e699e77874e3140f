import { describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../../../alerts/model.ts';
import { parseGeneric } from '../../../../alerts/sources/generic.ts';
import { RECEIVED_AT, fixture, fixtureJson, intakeRequest } from './intake-request.ts';
import { renderNotification } from '../../../../alerts/render/notification.ts';
import { renderText } from '../../../../platforms/console/render-text.ts';
import type { Notification } from '../../../../alerts/notifiers/types.ts';

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

  it('reads Grafana OnCall formatted webhooks: body, source link, image, stable id, and resolution by state', async () => {
    const result = await parseGeneric(intakeRequest(fixture('oncall-formatted-webhook.json')), {});
    if (!result.ok) throw new Error(result.error);
    const [a] = result.alerts;
    expect(a).toMatchObject({
      fingerprint: '08d6891a-835c-e661-39fa-96b6a9e26552',
      status: 'firing',
      labels: { alertname: 'TestAlert: The whole system is down' },
      annotations: {
        message: 'This alert was sent by user for demonstration purposes\nSmth happened. Oh no!',
        image_url: 'https://upload.wikimedia.org/wikipedia/commons/e/ee/Grumpy_Cat_by_Gage_Skidmore.jpg',
      },
      links: { generator: 'https://en.wikipedia.org/wiki/Downtime' },
    });
    const ok = await parseGeneric(
      intakeRequest({ ...fixtureJson<Record<string, unknown>>('oncall-formatted-webhook.json'), state: 'ok' }),
      {},
    );
    expect(ok.ok && ok.alerts[0]).toMatchObject({ status: 'resolved', fingerprint: a!.fingerprint, endsAt: RECEIVED_AT.toISOString() });
  });

  it('reads Grafana legacy webhooks and keeps fields it does not know as annotations', async () => {
    const result = await parseGeneric(intakeRequest(fixture('grafana-legacy-webhook.json')), {});
    if (!result.ok) throw new Error(result.error);
    expect(result.alerts[0]).toMatchObject({
      labels: { alertname: '[Alerting] Panel Title alert', 'tag name': 'tag value' },
      annotations: {
        message: 'Notification Message',
        image_url: 'https://grafana.com/static/assets/img/blog/mixed_styles.png',
        dashboardId: '1',
        ruleId: '1',
        evalMatches: '[{"value":1,"metric":"Count","tags":{}}]',
      },
      links: { generator: 'http://localhost:3000/d/hZ7BuVbWz/test-dashboard?fullscreen&edit&tab=alert&panelId=2&orgId=1' },
    });
    const plain = await parseGeneric(intakeRequest({ title: 'Backup failed', description: 'exit 3 on db-1', team: 'storage' }), {});
    expect(plain.ok && plain.alerts[0]?.annotations).toEqual({ summary: 'Backup failed', description: 'exit 3 on db-1', team: 'storage' });
    const untitled = await parseGeneric(intakeRequest({ message: 'disk full on db-1\nsee graph' }), {});
    expect(untitled.ok && untitled.alerts[0]?.labels.alertname).toBe('disk full on db-1');
    expect(await parseGeneric(intakeRequest({ severity: 'P1' }), {})).toMatchObject({ ok: false, details: [{ path: 'title' }] });
  });

  it('shows the title once and the body in the message', async () => {
    const result = await parseGeneric(intakeRequest(fixture('oncall-formatted-webhook.json')), {});
    if (!result.ok) throw new Error(result.error);
    const n: Notification = {
      id: 'n',
      receiver: 'ops',
      groupKey: 'g',
      incidentId: 'i',
      ref: 'ab12',
      seq: 1,
      groupLabels: { alertname: 'TestAlert: The whole system is down' },
      status: 'firing',
      firing: result.alerts,
      resolved: [],
      counts: { firing: 1, resolved: 0 },
      knowledge: [],
      decidedAt: RECEIVED_AT.toISOString(),
    };
    const text = renderText(renderNotification(n, { now: RECEIVED_AT.getTime() }));
    // In the heading and the alert column; the rest of the message before the buttons is the body.
    const body = text.slice(0, text.indexOf('[Ack'));
    expect(body.split('The whole system is down').length - 1).toBe(2);
    expect(text).toContain('Smth happened. Oh no!');
    expect(text).toContain('source: https://en.wikipedia.org/wiki/Downtime');
    expect(text).toContain('image: https://upload.wikimedia.org/');
  });
});
