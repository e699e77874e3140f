import { afterEach, describe, expect, it } from 'vitest';
import { genericAlert, startHub, waitFor, type Hub } from '../../helpers/alert-hub.ts';

let hub: Hub | undefined;
afterEach(async () => {
  await hub?.stop();
  hub = undefined;
});

const timing = { group_wait: '300ms', group_interval: '600ms', repeat_interval: '1500ms', group_by: ['alertname'] };

describe('Alertmanager timing semantics', () => {
  it('waits group_wait, batches the group, then notifies changes only at group_interval', async () => {
    hub = await startHub({ alerts: { route: { receiver: 'console', ...timing } } });
    const t0 = Date.now();
    expect((await hub.post('/webhooks/generic', genericAlert('DiskFull', { instance: 'a' }))).status).toBe(202);
    expect((await hub.post('/webhooks/generic', genericAlert('DiskFull', { instance: 'b' }))).status).toBe(202);
    await waitFor(() => hub!.sent.length >= 1, 'first notification');
    const first = hub.sent[0]!;
    expect(first.at - t0).toBeGreaterThanOrEqual(280);
    expect(first.notification.counts.firing).toBe(2);
    expect(first.notification.groupLabels).toEqual({ alertname: 'DiskFull' });
    expect(first.previous).toBeUndefined();
    // A new alert in the group waits for the next group_interval tick.
    const t1 = Date.now();
    await hub.post('/webhooks/generic', genericAlert('DiskFull', { instance: 'c' }));
    await waitFor(() => hub!.sent.length >= 2, 'second notification');
    const second = hub.sent[1]!;
    expect(second.notification.counts.firing).toBe(3);
    expect(second.at - first.at).toBeGreaterThanOrEqual(550);
    expect(second.at - t1).toBeLessThan(1000);
    // Same incident, updated in place.
    expect(second.notification.incidentId).toBe(first.notification.incidentId);
    expect(second.previous).toEqual({ id: `msg-${first.notification.incidentId}`, channel: 'console' });
  });

  it('repeats after repeat_interval and not before; resolves with send_resolved', async () => {
    hub = await startHub({ alerts: { route: { receiver: 'console', ...timing } } });
    await hub.post('/webhooks/generic', genericAlert('CpuHigh', { instance: 'x' }));
    await waitFor(() => hub!.sent.length >= 1, 'first');
    // A tick before repeat_interval (1500ms) is over decides nothing new.
    const quiet = await hub.nextDecision((e) => e.decidedAt - hub!.sent[0]!.at >= 900);
    expect(quiet).toMatchObject({ notify: false, reason: 'unchanged' });
    expect(hub.sent.length).toBe(1);
    await waitFor(() => hub!.sent.length >= 2, 'repeat', 3000);
    const repeat = hub.sent[1]!;
    expect(repeat.at - hub.sent[0]!.at).toBeGreaterThanOrEqual(1400);
    expect(repeat.notification.incidentId).toBe(hub.sent[0]!.notification.incidentId);
    await hub.post('/webhooks/generic', genericAlert('CpuHigh', { instance: 'x' }, { status: 'resolved' }));
    const resolved = await waitFor(() => hub!.sent.find((s) => s.notification.status === 'resolved'), 'resolved');
    expect(resolved.notification.counts).toEqual({ firing: 0, resolved: 1 });
    expect(resolved.notification.incidentId).toBe(hub.sent[0]!.notification.incidentId);
    await waitFor(async () => (await hub!.deps.redis.scard(`${hub!.deps.config.redis.prefix}:groups`)) === 0, 'the group emptied');
    expect(await hub.deps.alerts.incidents.open()).toEqual([]);
    expect(await hub.deps.redis.scard(`${hub.deps.config.redis.prefix}:groups`)).toBe(0);
  });

  it('without send_resolved a partial resolution is not announced', async () => {
    hub = await startHub({
      alerts: { route: { receiver: 'quiet', ...timing }, receivers: [{ name: 'quiet', console: true, send_resolved: false }] },
    });
    await hub.post('/webhooks/generic', [genericAlert('Lag', { i: '1' }), genericAlert('Lag', { i: '2' })]);
    await waitFor(() => hub!.sent.length >= 1, 'first');
    await hub.post('/webhooks/generic', genericAlert('Lag', { i: '1' }, { status: 'resolved' }));
    // The partial resolution is seen (the alert leaves the group) and nothing is sent.
    await waitFor(
      async () => (await hub!.deps.redis.hlen(hub!.deps.alerts.pipeline.keys.groupAlerts(hub!.decisions[0]!.gk))) === 1,
      'i=1 dropped',
    );
    expect(hub.sent.length).toBe(1);
    await hub.post('/webhooks/generic', genericAlert('Lag', { i: '2' }, { status: 'resolved' }));
    // Everything resolved: the log forgets the firing set, but without send_resolved nothing goes out.
    await hub.nextDecision((e) => e.reason === 'all-resolved');
    await waitFor(async () => (await hub!.deps.redis.scard(`${hub!.deps.config.redis.prefix}:groups`)) === 0, 'the group emptied');
    expect(hub.sent.length).toBe(1);
    expect(await hub.deps.alerts.incidents.open()).toEqual([]);
  });
});
