import { afterEach, describe, expect, it } from 'vitest';
import { genericAlert, startHub, waitFor, type Hub } from '../../helpers/alert-hub.ts';
import { testPrefix } from '../../helpers/deps.ts';

const hubs: Hub[] = [];
afterEach(async () => {
  for (const h of hubs.splice(0).reverse()) await h.stop();
});

describe('several replicas on one Redis', () => {
  it('alerts posted to either replica are notified once in total, updates included', async () => {
    const prefix = testPrefix('replicas');
    const alerts = {
      route: { receiver: 'console', group_wait: '150ms', group_interval: '400ms', repeat_interval: '1h', group_by: ['alertname'] },
    };
    const a = await startHub({ redis: { prefix }, alerts });
    hubs.push(a);
    const b = await startHub({ redis: { prefix }, alerts });
    hubs.push(b);
    const names = Array.from({ length: 30 }, (_, i) => `Rep${i}`);
    await Promise.all(names.map((n, i) => (i % 2 ? a : b).post('/webhooks/generic', genericAlert(n, { x: '1' }))));
    const all = () => [...a.sent, ...b.sent];
    await waitFor(() => names.every((n) => all().some((s) => s.notification.groupLabels.alertname === n)), 'every group notified');
    await Promise.all(names.map((n, i) => (i % 2 ? b : a).post('/webhooks/generic', genericAlert(n, { x: '2' }))));
    await waitFor(
      () => names.every((n) => all().some((s) => s.notification.groupLabels.alertname === n && s.notification.counts.firing === 2)),
      'every update',
    );
    await a.quiet();
    // One more flush of every group after all were logged (on either replica): none sends anything.
    const from = [a.decisions.length, b.decisions.length] as const;
    const later = () => [...a.decisions.slice(from[0]), ...b.decisions.slice(from[1])];
    await waitFor(() => names.every((n) => later().some((e) => e.groupLabels.alertname === n)), 'a flush of every group');
    expect(later().filter((e) => e.notify)).toEqual([]);
    for (const n of names) {
      const got = all()
        .filter((s) => s.notification.groupLabels.alertname === n)
        .sort((x, y) => x.notification.seq - y.notification.seq);
      expect(
        got.map((s) => s.notification.counts.firing),
        n,
      ).toEqual([1, 2]);
      expect(got[1]!.previous, n).toEqual({ id: `msg-${got[0]!.notification.incidentId}`, channel: 'console' });
    }
    expect(a.sent.length).toBeGreaterThan(0);
    expect(b.sent.length).toBeGreaterThan(0);
  });
});
