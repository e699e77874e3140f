import { afterEach, describe, expect, it } from 'vitest';
import { createAuthz } from '../../../chat/authz.ts';
import { renderText } from '../../../platforms/console/render-text.ts';
import { createRouter } from '../../../chat/router.ts';
import { handlers } from '../../../handlers/index.ts';
import { genericAlert, sleep, startHub, waitFor, type Hub } from '../../helpers/alert-hub.ts';
import { createCommandServices } from '../../../app/services.ts';

let hub: Hub | undefined;
afterEach(async () => {
  await hub?.stop();
  hub = undefined;
});

const fast = { group_wait: '200ms', group_interval: '400ms', repeat_interval: '800ms', group_by: ['alertname'] };

function chat(h: Hub, userId = 'ops') {
  const router = createRouter({ deps: h.deps, services: createCommandServices(h.deps), authz: createAuthz(h.deps.config), handlers });
  return async (line: string) => {
    const r = await router.handle({ platform: 'console', userId, displayName: userId, channelId: 'console' }, line);
    return { text: renderText(r), error: Boolean(r.error), reply: r };
  };
}

describe('silences, inhibition, acks, storms and flapping', () => {
  it('a silence from chat mutes matching alerts; unsilence brings them back', async () => {
    hub = await startHub({ alerts: { route: { receiver: 'console', ...fast } } });
    const say = chat(hub);
    const made = await say('silence alertname=KubePodEvicted namespace=db 2h "maintenance window"');
    expect(made.error).toBe(false);
    const id = /silence ([0-9a-f]{8}) mutes/.exec(made.text)?.[1];
    expect(id).toBeDefined();
    expect((await say('silences')).text).toContain('maintenance window');
    await hub.post('/webhooks/generic', [
      genericAlert('KubePodEvicted', { namespace: 'db', pod: 'db-0' }),
      genericAlert('KubePodEvicted', { namespace: 'web', pod: 'web-0' }),
    ]);
    const first = await waitFor(() => hub!.sent[0], 'notification');
    expect(first.notification.counts.firing).toBe(1);
    expect(first.notification.firing[0]!.labels.namespace).toBe('web');
    expect((await say(`unsilence ${id}`)).error).toBe(false);
    const second = await waitFor(() => hub!.sent[1], 'db alert after unsilence');
    expect(second.notification.counts.firing).toBe(2);
    expect((await say('silence nothing-here 2h')).error).toBe(true);
    expect((await say('silence alertname=X forever')).text).toMatch(/invalid duration/);
  });

  it('inhibition: a critical NodeDown mutes warnings on the same node', async () => {
    hub = await startHub({
      alerts: {
        route: { receiver: 'console', ...fast, group_by: ['alertname', 'node'] },
        inhibit_rules: [{ source_matchers: ['alertname=NodeDown'], target_matchers: ['severity=warning'], equal: ['node'] }],
      },
    });
    await hub.post('/webhooks/generic', genericAlert('NodeDown', { node: 'n1', severity: 'critical' }, { severity: 'critical' }));
    await waitFor(() => hub!.sent.length >= 1, 'NodeDown');
    await hub.post('/webhooks/generic', [
      genericAlert('PodNotReady', { node: 'n1', severity: 'warning' }),
      genericAlert('PodNotReady', { node: 'n2', severity: 'warning' }),
    ]);
    await waitFor(() => hub!.sent.some((s) => s.notification.groupLabels.alertname === 'PodNotReady'), 'n2 warning');
    // The n1 group's flush decides to tell nothing: its only alert is inhibited.
    const muted = await hub.nextDecision((e) => e.groupLabels.alertname === 'PodNotReady' && e.groupLabels.node === 'n1');
    expect(muted).toMatchObject({ notify: false, reason: 'nothing-firing' });
    const pod = hub.sent.filter((s) => s.notification.groupLabels.alertname === 'PodNotReady');
    expect(pod.map((s) => s.notification.groupLabels.node)).toEqual(['n2']);
  });

  it('ack from chat stops repeats and updates the message in place with who acked', async () => {
    hub = await startHub({ alerts: { route: { receiver: 'console', ...fast } } });
    const say = chat(hub, 'alice');
    await hub.post('/webhooks/generic', genericAlert('QueueStuck', { queue: 'mail' }));
    const first = await waitFor(() => hub!.sent[0], 'first');
    const listed = await say('alerts');
    expect(listed.text).toContain(first.notification.ref);
    expect(
      listed.reply.blocks.some((b) => b.kind === 'actions' && b.actions.some((a) => a.command === `ack ${first.notification.ref}`)),
    ).toBe(true);
    expect((await say(`ack ${first.notification.ref}`)).error).toBe(false);
    const acked = await waitFor(() => hub!.sent.find((s) => s.notification.acked), 'ack update', 3000);
    expect(acked.notification.acked!.by).toBe('alice');
    expect(acked.previous?.id).toBe(`msg-${first.notification.incidentId}`);
    const count = hub.sent.length;
    // Decisions past repeat_interval (800ms) after the ack still send nothing.
    await hub.nextDecision((e) => e.reason === 'acked' && e.decidedAt - acked.at > 900);
    expect(hub.sent.length).toBe(count);
    expect((await say('alerts')).text).toContain('alice');
    expect((await say('ack ffffff')).error).toBe(true);
  });

  it('namespace-scoped operators ack and silence only their namespaces', async () => {
    hub = await startHub({
      alerts: { route: { receiver: 'console', ...fast, group_by: ['alertname', 'namespace'] } },
      auth: {
        users: [
          { name: 'dba', role: 'operator', namespaces: ['db'], console: ['dba'] },
          { name: 'lead', role: 'operator', console: ['lead'] },
        ],
      },
    });
    const dba = chat(hub, 'dba');
    const lead = chat(hub, 'lead');
    await hub.post('/webhooks/generic', [
      genericAlert('DiskFull', { namespace: 'db' }),
      genericAlert('DiskFull', { namespace: 'web' }),
      genericAlert('NodeDown', { node: 'n1' }),
    ]);
    await waitFor(() => hub!.sent.length >= 3 || undefined, 'three incidents');
    const refOf = (pred: (labels: Record<string, string>) => boolean) =>
      hub!.sent.find((x) => pred(x.notification.groupLabels))!.notification.ref;
    expect((await dba(`ack ${refOf((l) => l.namespace === 'web')}`)).text).toMatch(/may not act on namespace `web`; your namespaces: db/);
    expect((await dba(`ack ${refOf((l) => l.alertname === 'NodeDown')}`)).text).toMatch(/cluster-wide/);
    expect((await dba(`ack ${refOf((l) => l.namespace === 'db')}`)).error).toBe(false);
    expect((await dba('silence alertname=DiskFull 1h')).text).toMatch(/add `namespace=<ns>`/);
    expect((await dba('silence alertname=DiskFull namespace=web 1h')).text).toMatch(/may not act on namespace `web`/);
    expect((await dba('silence alertname=DiskFull namespace=db 1h')).error).toBe(false);
    const broad = /silence ([0-9a-f]{8})/.exec((await lead('silence alertname=DiskFull 1h')).text)![1];
    expect((await dba(`unsilence ${broad}`)).text).toMatch(/add `namespace=<ns>`/);
    expect((await lead(`unsilence ${broad}`)).error).toBe(false);
  });

  it('a storm of 300 alerts becomes one message with the top N and the counts', async () => {
    hub = await startHub({ alerts: { route: { receiver: 'console', ...fast }, storm: { topN: 5 } } });
    const alerts = Array.from({ length: 300 }, (_, i) =>
      genericAlert('PodEvicted', { pod: `p-${i}` }, { severity: i === 7 ? 'critical' : 'warning' }),
    );
    expect((await hub.post('/webhooks/generic', alerts)).body).toEqual({ accepted: 300 });
    const n = (await waitFor(() => hub!.sent[0], 'storm message')).notification;
    await hub.nextDecision((e) => !e.notify);
    expect(hub.sent.length).toBe(1);
    expect(n.counts.firing).toBe(300);
    expect(n.firing.length).toBe(5);
    expect(n.firing[0]!.labels.pod).toBe('p-7');
  });

  it('flapping: an alert that keeps flipping is held firing and marked, then resolves once it settles', async () => {
    hub = await startHub({ alerts: { route: { receiver: 'console', ...fast }, flapping: { threshold: 3, window: '2s' } } });
    const up = genericAlert('Flappy', { svc: 'x' });
    const down = genericAlert('Flappy', { svc: 'x' }, { status: 'resolved' });
    await hub.post('/webhooks/generic', up);
    await waitFor(() => hub!.sent.length >= 1, 'first');
    for (const body of [down, up, down, up, down]) {
      await hub.post('/webhooks/generic', body);
      await sleep(60);
    }
    // The next message (the repeat after repeat_interval) shows it still firing, marked flapping.
    await waitFor(() => hub!.sent.find((s) => s.notification.flapping), 'a message marked flapping', 5000);
    expect(hub.sent.every((s) => s.notification.status === 'firing')).toBe(true);
    expect(hub.sent.some((s) => s.notification.flapping)).toBe(true);
    const resolved = await waitFor(() => hub!.sent.find((s) => s.notification.status === 'resolved'), 'resolution after settling', 5000);
    expect(resolved.notification.incidentId).toBe(hub.sent[0]!.notification.incidentId);
  });
});
