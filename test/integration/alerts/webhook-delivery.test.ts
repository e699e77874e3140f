import { afterEach, describe, expect, it } from 'vitest';
import { createAuthz } from '../../../chat/authz.ts';
import { renderText } from '../../../platforms/console/render-text.ts';
import { createRouter } from '../../../chat/router.ts';
import { handlers } from '../../../handlers/index.ts';
import { genericAlert, sleep, startHub, waitFor, type Hub } from '../../helpers/alert-hub.ts';
import { startFakeWebhook } from '../../helpers/fake-webhook.ts';
import { createCommandServices } from '../../../app/services.ts';

let hub: Hub | undefined;
let hook: Awaited<ReturnType<typeof startFakeWebhook>> | undefined;
afterEach(async () => {
  await hub?.stop();
  await hook?.close();
  hub = undefined;
  hook = undefined;
});

const route = { receiver: 'hook', group_wait: '50ms', group_interval: '300ms', repeat_interval: '1h' };
const notify = { backoff: '50ms', maxBackoff: '200ms', attempts: 6 };

describe('outgoing webhook delivery', () => {
  it('429 with Retry-After, then 500s: delivered once after the pause, then updated in place', async () => {
    hook = await startFakeWebhook((n) =>
      n === 0 ? { status: 429, headers: { 'retry-after': '1' } } : n < 3 ? { status: 500 } : { status: 200 },
    );
    hub = await startHub({ alerts: { route, receivers: [{ name: 'hook', webhook: { url: hook.url } }], notify } });
    await hub.post('/webhooks/generic', genericAlert('ApiDown', { svc: 'api' }));
    const delivered = await waitFor(() => hook!.ok()[0], 'a successful delivery', 8000);
    expect(hook.hits.map((h) => h.status)).toEqual([429, 500, 500, 200]);
    expect(hook.hits[1]!.at - hook.hits[0]!.at).toBeGreaterThanOrEqual(950);
    expect(new Set(hook.hits.map((h) => h.key)).size).toBe(1);
    expect(delivered.body.action).toBe('create');
    await hub.post('/webhooks/generic', genericAlert('ApiDown', { svc: 'api' }, { status: 'resolved' }));
    const update = await waitFor(() => hook!.ok()[1], 'the resolution', 5000);
    expect(update.body.action).toBe('update');
    expect(update.body.previous).toEqual({ id: `w-${delivered.body.notification.incidentId}`, channel: hook.url });
    expect(update.body.notification.status).toBe('resolved');
    await hub.nextDecision((e) => !e.notify);
    expect(hook.ok().length).toBe(2);
    const deliveries = (await fetch(`${hub.url}/api/alerts/${delivered.body.notification.firing[0]!.fingerprint}/deliveries`).then((r) =>
      r.json(),
    )) as { deliveries: Array<{ kind: string; updated: boolean }> };
    expect(deliveries.deliveries.map((d) => [d.kind, d.updated])).toEqual([
      ['webhook', true],
      ['webhook', false],
    ]);
  });

  it('a 4xx is terminal: not retried, kept in the failed list shown by `alerts failed`', async () => {
    hook = await startFakeWebhook(() => ({ status: 404 }));
    // A long group_interval: the next flush (which tries a failed delivery again) stays out of the way.
    hub = await startHub({
      alerts: { route: { ...route, group_interval: '1h' }, receivers: [{ name: 'hook', webhook: { url: hook.url } }], notify },
    });
    await hub.post('/webhooks/generic', genericAlert('Gone', {}));
    const failed = await waitFor(async () => (await hub!.deps.alerts.incidents.failed())[0], 'a failed delivery');
    expect(failed).toMatchObject({ receiver: 'hook', kind: 'webhook', attempts: 1 });
    expect(failed.error).toContain('404');
    // The delivery failed for good: nothing waits to be tried again, neither queued nor in the outbox.
    const { queues, keys } = hub.deps.alerts.pipeline;
    await waitFor(async () => {
      const c = await queues.notify.getJobCounts('waiting', 'active', 'delayed');
      return !c.waiting && !c.active && !c.delayed && (await hub!.deps.redis.zcard(keys.outbox)) === 0;
    }, 'the delivery over for good');
    await sleep(300);
    expect(hook.hits.length).toBe(1);
    const router = createRouter({
      deps: hub.deps,
      services: createCommandServices(hub.deps),
      authz: createAuthz(hub.deps.config),
      handlers,
    });
    const out = renderText(await router.handle({ platform: 'console', userId: 'me', channelId: 'console' }, 'alerts failed'));
    expect(out).toContain('404');
  });

  it('rate limit per destination spaces messages out', async () => {
    hook = await startFakeWebhook(() => ({ status: 200 }));
    hub = await startHub({
      alerts: {
        route: { ...route, group_by: ['alertname'] },
        receivers: [{ name: 'hook', webhook: { url: hook.url } }],
        notify: { ...notify, rateLimits: { webhook: { max: 2, per: '1s' } } },
      },
    });
    await hub.post(
      '/webhooks/generic',
      ['A', 'B', 'C', 'D'].map((n) => genericAlert(n)),
    );
    await waitFor(() => hook!.ok().length >= 4, 'four deliveries', 6000);
    const times = hook
      .ok()
      .map((h) => h.at)
      .sort((a, b) => a - b);
    expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(900);
    expect(new Set(hook.ok().map((h) => h.body.notification.groupLabels.alertname)).size).toBe(4);
  });
});
