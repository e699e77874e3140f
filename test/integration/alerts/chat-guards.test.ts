import { afterEach, describe, expect, it } from 'vitest';
import { createCommandServices } from '../../../app/services.ts';
import { createAuditLog } from '../../../chat/audit.ts';
import { createAuthz } from '../../../chat/authz.ts';
import { createRouter } from '../../../chat/router.ts';
import { handlers } from '../../../handlers/index.ts';
import { renderText } from '../../../platforms/console/render-text.ts';
import { genericAlert, startHub, waitFor, type Hub } from '../../helpers/alert-hub.ts';

let hub: Hub | undefined;
afterEach(async () => {
  await hub?.stop();
  hub = undefined;
});

const users = [
  { name: 'dba', role: 'operator' as const, namespaces: ['db'], console: ['dba'] },
  { name: 'lead', role: 'operator' as const, console: ['lead'] },
  { name: 'boss', role: 'admin' as const, console: ['boss'] },
];

function chat(h: Hub) {
  const audit = createAuditLog(h.deps);
  const router = createRouter({
    deps: h.deps,
    services: createCommandServices(h.deps),
    authz: createAuthz(h.deps.config),
    handlers,
    observers: [audit.record],
  });
  return (userId: string) => async (line: string) => {
    const r = await router.handle({ platform: 'console', userId, displayName: userId, channelId: 'console' }, line);
    return { text: renderText(r), error: Boolean(r.error) };
  };
}

describe('chat guards on incidents and silences', () => {
  it('a namespace-scoped ack is refused when any alert of the incident is outside the scope, shown or not', async () => {
    hub = await startHub({
      alerts: { route: { receiver: 'console', group_wait: '100ms', group_by: ['alertname'] }, storm: { topN: 1 } },
      auth: { users },
    });
    await hub.post('/webhooks/generic', [
      genericAlert('DiskFull', { namespace: 'db', pod: 'db-0' }, { severity: 'critical' }),
      genericAlert('DiskFull', { namespace: 'db', pod: 'db-1' }, { severity: 'critical' }),
      genericAlert('DiskFull', { namespace: 'web', pod: 'web-0' }, { severity: 'warning' }),
    ]);
    const n = (await waitFor(() => hub!.sent[0], 'one incident')).notification;
    expect(n.counts.firing).toBe(3);
    expect(n.firing.map((a) => a.labels.namespace)).toEqual(['db']);
    const as = chat(hub);
    expect((await as('dba')(`ack ${n.ref}`)).text).toMatch(/may not act on namespace `web`/);
    expect((await hub.deps.alerts.incidents.byRef(n.ref))?.ackedBy).toBeUndefined();
    expect((await as('lead')(`ack ${n.ref}`)).error).toBe(false);
  });

  it('match-all silences are refused in chat unless an admin passes --all; the duration is capped by config', async () => {
    hub = await startHub({ alerts: { silences: { maxDuration: '2d' } }, auth: { users } });
    const as = chat(hub);
    for (const matchers of ['nosuchlabel=""', 'alertname!="x"', 'alertname=~"(.*)"', 'alertname!~"^$"']) {
      const r = await as('lead')(`silence ${matchers} 1h`);
      expect(r.text, matchers).toMatch(/would mute everything/);
    }
    expect((await as('lead')('silence alertname!~"^$" 1h --all')).text).toMatch(/`--all` needs the admin role/);
    const forced = await as('boss')('silence alertname!~"^$" 1h planned outage --all');
    expect(forced.error).toBe(false);
    expect(forced.text).toMatch(/by boss · planned outage/);
    expect((await as('lead')('silence alertname=DiskFull 3d')).text).toMatch(/between 1s and 2d/);
    expect((await as('lead')('silence alertname=DiskFull 2d')).error).toBe(false);
    const audit = await createAuditLog(hub.deps).latest(20);
    expect(audit.filter((e) => e.command === 'silence' && e.result === 'ok').map((e) => e.user)).toEqual(['lead', 'boss']);
  });
});
