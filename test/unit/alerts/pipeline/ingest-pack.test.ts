import { describe, expect, it } from 'vitest';
import { alertsConfigSchema } from '../../../../alerts/config-schema.ts';
import { compileInhibitRules } from '../../../../alerts/inhibit.ts';
import { fingerprintOf, type Alert } from '../../../../alerts/model.ts';
import { createIngestPacker } from '../../../../alerts/pipeline/ingest-pack.ts';
import { createRouting } from '../../../../alerts/routing.ts';

const alert = (labels: Record<string, string>, extra: Partial<Alert> = {}): Alert => ({
  source: 'prometheus',
  fingerprint: fingerprintOf(labels),
  status: 'firing',
  severity: 'warning',
  labels,
  annotations: { summary: 'disk "full" \u2014 99%' },
  startsAt: '2026-11-27T10:00:00.000Z',
  endsAt: '2026-11-27T11:00:00.000Z',
  subject: { node: 'n1' },
  links: {},
  ...extra,
});

describe('ingest packer', () => {
  const config = alertsConfigSchema.parse({
    route: { receiver: 'console', group_by: ['alertname'], group_wait: '10s' },
    inhibit_rules: [{ source_matchers: ['severity=critical'], target_matchers: ['severity=warning'], equal: ['node'] }],
  });
  const pack = createIngestPacker({ routing: createRouting(config), inhibitRules: compileInhibitRules(config.inhibit_rules) });

  it('packs each alert as status, inhibit source, start|end, fingerprint, source labels and the payload {t, a}', () => {
    const a = alert({ alertname: 'DiskFull', node: 'n1' });
    const b = alert({ alertname: 'DiskFull', node: 'n2', severity: 'critical' }, { status: 'resolved', startsAt: 'unknown' });
    const c = alert({ alertname: 'NodeDown', node: 'n1' }, { endsAt: undefined });
    const { packed } = pack([
      { source: 'prometheus', acceptedAt: 1_764_237_600_123, alerts: [a, b] },
      { source: 'prometheus', acceptedAt: 1_764_237_600_456, alerts: [c] },
    ]);
    const start = Date.parse(a.startsAt);
    const end = Date.parse(a.endsAt!);
    const sourceLabels = JSON.stringify({ l: b.labels, e: end });
    expect(packed.map((g) => ({ ...g, gk: typeof g.gk }))).toEqual([
      {
        gk: 'string',
        receiver: 'console',
        route: '0',
        labels: '{"alertname":"DiskFull"}',
        owner: '',
        waitMs: 10_000,
        alerts: [
          `f0${start}|${end}|16|${a.fingerprint}0|${JSON.stringify({ t: 1_764_237_600_123, a })}`,
          `r1|${end}|16|${b.fingerprint}${sourceLabels.length}|${sourceLabels}${JSON.stringify({ t: 1_764_237_600_123, a: b })}`,
        ],
      },
      {
        gk: 'string',
        receiver: 'console',
        route: '0',
        labels: '{"alertname":"NodeDown"}',
        owner: '',
        waitMs: 10_000,
        alerts: [`f0${start}|0|16|${c.fingerprint}0|${JSON.stringify({ t: 1_764_237_600_456, a: c })}`],
      },
    ]);
  });
});
