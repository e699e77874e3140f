/**
 * Differential test: one alert timeline played into the real Alertmanager (Debian's
 * `prometheus-alertmanager`, started on a loopback port with a generated config and a webhook
 * receiver here) and into firstmate (same route tree, receivers and inhibit rules, same
 * `POST /api/v2/alerts` bodies at the same moments). The notification sequences per group must
 * match: receiver, group labels, status, firing and resolved alerts, and time within a tolerance.
 * Flapping damping and storm top N are firstmate's own and stay out of this timeline.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { alertmanagerBinary, startAlertmanager } from '../../helpers/alertmanager.ts';
import { startHub, sleep, type Hub } from '../../helpers/alert-hub.ts';

const bin = alertmanagerBinary();
/** How far apart the same notification may arrive in the two systems (ms). */
const TOLERANCE = 800;

let hub: Hub | undefined;
let am: Awaited<ReturnType<typeof startAlertmanager>> | undefined;
afterEach(async () => {
  await hub?.stop();
  await am?.stop();
  hub = undefined;
  am = undefined;
});

const timing = { group_wait: '1s', group_interval: '2s', repeat_interval: '1h' };
const routes = [
  { matchers: ['scenario="grouping"'], receiver: 'hook', group_by: ['alertname'], ...timing },
  { matchers: ['scenario="repeat"'], receiver: 'hook', group_by: ['alertname'], ...timing, repeat_interval: '3s' },
  { matchers: ['scenario="quiet"'], receiver: 'quiet', group_by: ['alertname'], ...timing },
  { matchers: ['scenario="inhibit"'], receiver: 'hook', group_by: ['alertname', 'node'], ...timing },
  { matchers: ['scenario="late"'], receiver: 'hook', group_by: ['alertname'], ...timing, group_wait: '3s' },
  { matchers: ['scenario="refire"'], receiver: 'hook', group_by: ['alertname'], ...timing },
];
const inhibit_rules = [
  // Two-sided: both criticals match source and target; neither mutes the other.
  {
    source_matchers: ['scenario="inhibit"', 'severity="critical"'],
    target_matchers: ['scenario="inhibit"', 'severity="critical"'],
    equal: ['node'],
  },
  { source_matchers: ['alertname="NodeDown"'], target_matchers: ['severity="warning"'], equal: ['node'] },
];
const route = { receiver: 'hook', group_by: ['alertname'], ...timing, routes };

type Labels = Record<string, string>;
const alert = (scenario: string, alertname: string, id: string, extra: Labels = {}) => ({
  labels: { scenario, alertname, id, severity: 'warning', ...extra },
});

/** What happens when (ms after the start): alerts posted firing, resolved (endsAt now), or started long ago. */
interface Step {
  at: number;
  fire?: Array<{ labels: Labels }>;
  resolve?: Array<{ labels: Labels }>;
  old?: Array<{ labels: Labels }>;
}
const G = (id: string) => alert('grouping', 'Grouped', id);
const R = alert('repeat', 'Repeated', 'r1');
const Q = (id: string) => alert('quiet', 'Quiet', id);
const L = (id: string) => alert('late', 'Late', id);
const F = alert('refire', 'Refired', 'f1');
const timeline: Step[] = [
  {
    at: 0,
    fire: [
      G('g1'),
      G('g2'),
      R,
      Q('q1'),
      Q('q2'),
      alert('inhibit', 'NodeDown', 'nd', { node: 'n1', severity: 'critical' }),
      alert('inhibit', 'DiskFull', 'df', { node: 'n1', severity: 'critical' }),
      alert('inhibit', 'PodWarn', 'pw1', { node: 'n1' }),
      alert('inhibit', 'PodWarn', 'pw2', { node: 'n2' }),
      L('l1'),
      F,
    ],
  },
  { at: 500, old: [L('l2')] },
  { at: 1500, fire: [G('g3')], resolve: [Q('q1'), F] },
  { at: 3500, resolve: [Q('q2')], fire: [F] },
  { at: 4500, resolve: [G('g1')] },
  { at: 6500, resolve: [G('g2'), G('g3')] },
  { at: 9500, resolve: [R] },
];
const END = 12_500;

interface Seen {
  group: string;
  status: string;
  firing: string[];
  resolved: string[];
  t: number;
}

const groupOf = (receiver: string, labels: Labels) =>
  `${receiver} ${JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))))}`;

function bodies(step: Step, now: Date): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const a of step.fire ?? []) out.push({ labels: a.labels });
  for (const a of step.resolve ?? []) out.push({ labels: a.labels, endsAt: now.toISOString() });
  for (const a of step.old ?? []) out.push({ labels: a.labels, startsAt: new Date(now.getTime() - 3_600_000).toISOString() });
  return out;
}

function byGroup(seen: Seen[]): Map<string, Seen[]> {
  const out = new Map<string, Seen[]>();
  for (const s of [...seen].sort((a, b) => a.t - b.t)) out.set(s.group, [...(out.get(s.group) ?? []), s]);
  return out;
}

describe('differential: the same timeline into Alertmanager 0.25 and firstmate', () => {
  it.skipIf(!bin)(
    'grouping, group_wait/group_interval/repeat_interval, send_resolved, inhibition (two-sided), an old alert joining an unflushed group, a group firing again',
    async () => {
      am = await startAlertmanager(bin!, {
        global: { resolve_timeout: '5m' },
        route,
        receivers: [
          { name: 'hook', webhook_configs: [{ url: '{hook}', send_resolved: true }] },
          { name: 'quiet', webhook_configs: [{ url: '{hook}', send_resolved: false }] },
        ],
        inhibit_rules,
      });
      hub = await startHub({
        alerts: {
          route,
          receivers: [
            { name: 'hook', console: true, send_resolved: true },
            { name: 'quiet', console: true, send_resolved: false },
          ],
          inhibit_rules,
        },
      });
      const t0 = Date.now();
      for (const step of timeline) {
        await sleep(t0 + step.at - Date.now());
        const body = bodies(step, new Date());
        const [a, f] = await Promise.all([am.post(body), hub.post('/api/v2/alerts', body).then((r) => r.status)]);
        expect([a, f]).toEqual([200, 202]);
      }
      await sleep(t0 + END - Date.now());
      const ids = (xs: Array<{ labels: Labels }>) => xs.map((x) => x.labels.id!).sort();
      const fromAm: Seen[] = am.hooks
        .filter((h) => h.at <= t0 + END)
        .map((h) => ({
          group: groupOf(h.body.receiver, h.body.groupLabels),
          status: h.body.status,
          firing: ids(h.body.alerts.filter((x) => x.status === 'firing')),
          resolved: ids(h.body.alerts.filter((x) => x.status === 'resolved')),
          t: h.at - t0,
        }));
      const fromUs: Seen[] = hub.sent
        .filter((s) => s.at <= t0 + END)
        .map((s) => ({
          group: groupOf(s.notification.receiver, s.notification.groupLabels),
          status: s.notification.status,
          firing: ids(s.notification.firing),
          resolved: ids(s.notification.resolved),
          t: s.at - t0,
        }));
      const theirs = byGroup(fromAm);
      const ours = byGroup(fromUs);
      const shape = (m: Map<string, Seen[]>) =>
        Object.fromEntries([...m].map(([g, xs]) => [g, xs.map(({ status, firing, resolved }) => ({ status, firing, resolved }))]));
      if (process.env.FM_DIFF_PRINT) console.log(JSON.stringify({ theirs: [...theirs], ours: [...ours] }));
      expect(shape(ours)).toEqual(shape(theirs));
      for (const [g, xs] of theirs)
        xs.forEach((x, i) => {
          const y = ours.get(g)![i]!;
          expect(Math.abs(y.t - x.t), `${g} #${i}: Alertmanager at ${x.t} ms, firstmate at ${y.t} ms`).toBeLessThanOrEqual(TOLERANCE);
        });
      // The timeline covers what it claims to (a guard against a silently empty comparison).
      expect(theirs.size).toBe(8);
    },
    30_000,
  );
});

if (!bin) console.warn('differential test skipped: no Alertmanager binary (apt-get install prometheus-alertmanager; .ci/run installs it)');
