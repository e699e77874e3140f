import { describe, expect, it } from 'vitest';
import { alertsConfigSchema } from '../../../alerts/config-schema.ts';
import { formatDuration, parseDuration } from '../../../alerts/duration.ts';
import { compileInhibitRules, inhibitedBy } from '../../../alerts/inhibit.ts';
import { matchesAll, parseMatcher, parseMatchers } from '../../../alerts/matchers.ts';
import type { Alert } from '../../../alerts/model.ts';
import { fingerprintOf } from '../../../alerts/model.ts';
import { destinationsFor } from '../../../alerts/pipeline/destinations.ts';
import { createRouting, matchRoutes, resolveRoutes } from '../../../alerts/routing.ts';

const alert = (labels: Record<string, string>, annotations: Record<string, string> = {}): Alert => ({
  source: 'test',
  fingerprint: fingerprintOf(labels),
  status: 'firing',
  severity: 'warning',
  labels,
  annotations,
  startsAt: new Date().toISOString(),
  subject: {},
  links: {},
});

describe('durations', () => {
  it('parses Prometheus durations and rejects the rest', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('0')).toBe(0);
    for (const bad of ['', '5', '1.5h', '30m1h', 'h', '5q', '-1s']) expect(() => parseDuration(bad), bad).toThrow(/duration/);
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(42_000)).toBe('42s');
  });
});

describe('matchers', () => {
  it('parses the four operators, quoted values, braces lists, and anchors regexes', () => {
    expect(parseMatcher('severity="critical"')).toEqual({ name: 'severity', op: '=', value: 'critical' });
    expect(parseMatcher('ns!=db')).toEqual({ name: 'ns', op: '!=', value: 'db' });
    expect(parseMatchers(['{alertname=~"Kube.*", team!~"ops|sre"}'])).toHaveLength(2);
    const m = parseMatchers(['alertname=~Kube.*']);
    expect(matchesAll(m, { alertname: 'KubePodEvicted' })).toBe(true);
    expect(matchesAll(m, { alertname: 'xKubePod' })).toBe(false);
    expect(matchesAll(parseMatchers(['team!=""']), {})).toBe(false);
    expect(matchesAll(parseMatchers(['team=""']), {})).toBe(true);
    expect(matchesAll(parseMatchers(['服务=支付']), { 服务: '支付' })).toBe(true);
    expect(() => parseMatcher('a=~"("')).toThrow(/regex/);
    expect(() => parseMatcher('no operator')).toThrow(/invalid matcher/);
  });
});

describe('route tree', () => {
  const cfg = alertsConfigSchema.parse({
    route: {
      receiver: 'default',
      group_by: ['alertname'],
      group_wait: '10s',
      routes: [
        { matchers: ['severity=critical'], receiver: 'pager', continue: true, group_wait: '1s' },
        { matchers: ['team=db'], receiver: 'db', group_by: ['...'], routes: [{ matchers: ['env=prod'], receiver: 'db-prod' }] },
        { matchers: ['team=~"db|web"'], receiver: 'web' },
      ],
    },
    receivers: ['default', 'pager', 'db', 'db-prod', 'web'].map((name) => ({ name, console: true })),
  });
  const root = resolveRoutes(cfg.route);

  it('matches depth first, honours continue, falls back to the parent, and inherits settings', () => {
    const recv = (labels: Record<string, string>) => matchRoutes(root, labels).map((r) => r.receiver);
    expect(recv({ alertname: 'X' })).toEqual(['default']);
    expect(recv({ severity: 'critical', team: 'db' })).toEqual(['pager', 'db']);
    expect(recv({ team: 'db', env: 'prod' })).toEqual(['db-prod']);
    expect(recv({ team: 'web' })).toEqual(['web']);
    const [pager] = matchRoutes(root, { severity: 'critical' });
    expect(pager!.groupWaitMs).toBe(1000);
    expect(pager!.groupBy).toEqual(['alertname']);
    expect(pager!.repeatIntervalMs).toBe(4 * 3_600_000);
    const [dbProd] = matchRoutes(root, { team: 'db', env: 'prod' });
    expect(dbProd!.groupByAll).toBe(true);
    expect(dbProd!.groupWaitMs).toBe(10_000);
  });

  it('assigns group keys by route and group labels; `...` groups by every label', () => {
    const routing = createRouting(cfg);
    const a = routing.assign(alert({ alertname: 'A', instance: '1' }))[0]!;
    const b = routing.assign(alert({ alertname: 'A', instance: '2' }))[0]!;
    expect(a.groupKey).toBe(b.groupKey);
    expect(a.groupLabels).toEqual({ alertname: 'A' });
    const c = routing.assign(alert({ alertname: 'A', team: 'db', instance: '1' }))[0]!;
    const d = routing.assign(alert({ alertname: 'A', team: 'db', instance: '2' }))[0]!;
    expect(c.groupKey).not.toBe(d.groupKey);
  });

  it('owner routing splits groups by owner and sends Slack to the owner channel, DingTalk to the named robot', () => {
    const owned = alertsConfigSchema.parse({
      route: { receiver: 'owners' },
      receivers: [{ name: 'owners', owner_routing: true, slack: { channel: '#alerts' }, dingtalk: { accessToken: 'default-robot' } }],
      robots: { 'db-team': { accessToken: 'db-robot' } },
    });
    const routing = createRouting(owned);
    const x = routing.assign(alert({ alertname: 'A' }, { 'firstmate.io/channel': 'db-team' }))[0]!;
    const y = routing.assign(alert({ alertname: 'A', channel: '#web' }))[0]!;
    expect(x.owner).toBe('db-team');
    expect(x.groupKey).not.toBe(y.groupKey);
    const dx = destinationsFor(owned.receivers[0]!, x.owner, owned.robots);
    expect(dx.map((d) => [d.kind, d.config.channel ?? d.config.accessToken])).toEqual([
      ['slack', 'db-team'],
      ['dingtalk', 'db-robot'],
    ]);
    const dy = destinationsFor(owned.receivers[0]!, y.owner, owned.robots);
    expect(dy.map((d) => d.config.channel ?? d.config.accessToken)).toEqual(['#web', 'default-robot']);
  });

  it('the schema refuses unknown receivers, duplicate names and receivers without destinations', () => {
    const r = alertsConfigSchema.safeParse({
      route: { receiver: 'nope' },
      receivers: [{ name: 'a', console: true }, { name: 'a', console: true }, { name: 'b' }],
    });
    expect(r.success).toBe(false);
    const messages = r.error!.issues.map((i) => i.message).join('\n');
    expect(messages).toMatch(/unknown receiver "nope"/);
    expect(messages).toMatch(/duplicate receiver "a"/);
    expect(messages).toMatch(/receiver "b" has no destination/);
  });
});

describe('default grouping', () => {
  it('groups by alertname unless set; group_by: [] gives one group per route, like Alertmanager’s default', () => {
    const byDefault = createRouting(alertsConfigSchema.parse({}));
    const a = byDefault.assign(alert({ alertname: 'A' }))[0]!;
    expect(a.groupLabels).toEqual({ alertname: 'A' });
    expect(byDefault.assign(alert({ alertname: 'B' }))[0]!.groupKey).not.toBe(a.groupKey);
    const amLike = createRouting(alertsConfigSchema.parse({ route: { receiver: 'console', group_by: [] } }));
    const one = amLike.assign(alert({ alertname: 'A' }))[0]!;
    expect(one.groupLabels).toEqual({});
    expect(amLike.assign(alert({ alertname: 'B', node: 'n1' }))[0]!.groupKey).toBe(one.groupKey);
  });
});

describe('inhibition', () => {
  it('mutes targets with equal labels, never the source itself', () => {
    const rules = compileInhibitRules([
      { source_matchers: ['alertname=NodeDown'], target_matchers: ['severity=warning'], equal: ['node'] },
    ]);
    const sources = new Map([['src', { alertname: 'NodeDown', node: 'n1', severity: 'warning' }]]);
    expect(inhibitedBy(rules, 't1', { alertname: 'PodNotReady', node: 'n1', severity: 'warning' }, sources)).toBe('src');
    expect(inhibitedBy(rules, 't2', { alertname: 'PodNotReady', node: 'n2', severity: 'warning' }, sources)).toBeUndefined();
    expect(inhibitedBy(rules, 'src', { alertname: 'NodeDown', node: 'n1', severity: 'warning' }, sources)).toBeUndefined();
  });

  it('excludes two-sided matches: alerts matching both sides do not mute each other', () => {
    const rules = compileInhibitRules([
      { source_matchers: ['severity=critical'], target_matchers: ['severity=critical'], equal: ['node'] },
    ]);
    const a = { alertname: 'DiskFull', node: 'n1', severity: 'critical' };
    const b = { alertname: 'NodeDown', node: 'n1', severity: 'critical' };
    const sources = new Map([
      ['a', a],
      ['b', b],
    ]);
    expect(inhibitedBy(rules, 'a', a, sources)).toBeUndefined();
    expect(inhibitedBy(rules, 'b', b, sources)).toBeUndefined();
    const mixed = compileInhibitRules([
      { source_matchers: ['alertname=NodeDown'], target_matchers: ['severity=critical'], equal: ['node'] },
    ]);
    // NodeDown matches both sides; DiskFull only the target side: NodeDown still mutes DiskFull.
    expect(inhibitedBy(mixed, 'a', a, sources)).toBe('b');
    expect(inhibitedBy(mixed, 'b', b, new Map([['b2', { ...b, instance: 'x' }]]))).toBeUndefined();
  });
});

describe('group key cache', () => {
  it('gives the same keys as the uncached hash, label values with separators included', () => {
    const routing = createRouting(alertsConfigSchema.parse({ route: { receiver: 'console', group_by: ['x', 'y'] } }));
    const key = (labels: Record<string, string>) => routing.assign(alert(labels))[0]!.groupKey;
    const expected = (labels: Record<string, string>) => fingerprintOf({ ...labels, '\u0000route': '0' });
    const sets: Array<Record<string, string>> = [
      { x: 'a\u0000', y: '' },
      { x: 'a', y: '\u0000' },
      { x: 'a|1:b' },
      { x: 'a', y: 'b' },
      { x: 'a', y: 'b' },
    ];
    const keys = sets.map(key);
    expect(keys).toEqual([
      expected({ x: 'a\u0000' }),
      expected({ x: 'a', y: '\u0000' }),
      expected({ x: 'a|1:b' }),
      expected({ x: 'a', y: 'b' }),
      expected({ x: 'a', y: 'b' }),
    ]);
    expect(new Set(keys).size).toBe(4);
  });
});
