import { afterEach, describe, expect, it } from 'vitest';
import { startHub, waitFor, type Hub } from '../../helpers/alert-hub.ts';

let hub: Hub | undefined;
afterEach(async () => {
  await hub?.stop();
});

const postable = (alertname: string, i: number, extra: Record<string, unknown> = {}) => ({
  labels: { alertname, namespace: `ns-${i % 3}`, instance: `host-${i}`, severity: 'warning' },
  annotations: { summary: `alert ${i}` },
  ...extra,
});

describe('batched ingest', () => {
  it('stores a delivery larger than one script call, across groups, and notifies each group once with all its alerts', async () => {
    hub = await startHub({
      alerts: {
        route: { receiver: 'console', group_by: ['alertname', 'namespace'], group_wait: '100ms', group_interval: '1h' },
        ingest: { maxAlertsPerCall: 25 },
      },
    });
    const alerts = Array.from({ length: 301 }, (_, i) => postable(i < 200 ? 'Big' : 'Other', i));
    expect((await hub.post('/api/v2/alerts', alerts)).status).toBe(202);
    await waitFor(() => hub!.sent.length >= 6, 'one notification per group');
    const byGroup = new Map(hub.sent.map((s) => [JSON.stringify(s.notification.groupLabels), s.notification.counts.firing]));
    expect(byGroup).toEqual(
      new Map([
        ['{"alertname":"Big","namespace":"ns-0"}', 67],
        ['{"alertname":"Big","namespace":"ns-1"}', 67],
        ['{"alertname":"Big","namespace":"ns-2"}', 66],
        ['{"alertname":"Other","namespace":"ns-0"}', 34],
        ['{"alertname":"Other","namespace":"ns-1"}', 33],
        ['{"alertname":"Other","namespace":"ns-2"}', 34],
      ]),
    );
    const keys = hub.deps.alerts.pipeline.keys;
    let stored = 0;
    for (const gk of await hub.deps.redis.smembers(keys.groups)) stored += await hub.deps.redis.hlen(keys.groupAlerts(gk));
    expect(stored).toBe(301);
  });

  it('reads an alert whose endsAt has passed as resolved, and drops a resolution for a group that does not exist', async () => {
    hub = await startHub({ alerts: { route: { receiver: 'console', group_by: ['alertname'], group_wait: '50ms', group_interval: '1h' } } });
    const past = new Date(Date.now() - 60_000).toISOString();
    expect((await hub.post('/api/v2/alerts', [postable('Gone', 1, { startsAt: past, endsAt: past })])).status).toBe(202);
    expect((await hub.post('/api/v2/alerts', [postable('Live', 2)])).status).toBe(202);
    await waitFor(() => hub!.sent.length >= 1, 'the live group notified');
    const keys = hub.deps.alerts.pipeline.keys;
    const groups = await hub.deps.redis.smembers(keys.groups);
    expect(groups).toHaveLength(1);
    expect(hub.sent.map((s) => s.notification.groupLabels.alertname)).toEqual(['Live']);
  });
});
