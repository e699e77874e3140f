import { afterEach, describe, expect, it } from 'vitest';
import { assertNamespace } from '../../../chat/authz.ts';
import { createAuditLog, type AuditEntry } from '../../../chat/audit.ts';
import { createAuthz } from '../../../chat/authz.ts';
import type { ConfigInput } from '../../../app/config-schema.ts';
import { reply, textReply, type Reply } from '../../../core/reply.ts';
import { renderText } from '../../../platforms/console/render-text.ts';
import { createRouter } from '../../../chat/router.ts';
import { createRateLimiter } from '../../../chat/rate-limit.ts';
import { handlers as registered } from '../../../handlers/index.ts';
import type { Handler, Identity } from '../../../handlers/types.ts';
import { createTestDeps } from '../../helpers/deps.ts';
import { createCommandServices } from '../../../app/services.ts';

/** Commands of each class, shaped like the real ones (role, class, namespaced argument). */
const host: Handler = {
  name: 'host',
  role: 'viewer',
  usage: 'host <ip>',
  summary: 'host',
  run: async ({ args }) => textReply(`host ${args[0] ?? ''}`),
};
const ack: Handler = {
  name: 'ack',
  role: 'operator',
  usage: 'ack <ref>',
  summary: 'ack',
  run: async ({ args, user }) => textReply(`acked ${args[0] ?? ''} by ${user.name}`),
};
const cordon: Handler = {
  name: 'cordon',
  role: 'operator',
  usage: 'cordon <ns/pod>',
  summary: 'op',
  run: async ({ args, user }) => {
    const [ns = '', name = ''] = (args[0] ?? '').split('/');
    assertNamespace(user, ns);
    return reply(
      { kind: 'text', text: `planned ${ns}/${name}` },
      { kind: 'actions', actions: [{ label: 'Confirm', command: `cordon ${ns}/${name}`, style: 'danger' }] },
    );
  },
};
const all = [...registered, host, ack, cordon];

const users: NonNullable<ConfigInput['auth']>['users'] = [
  { name: 'vera', role: 'viewer', dingtalk: ['staff-v'], slack: ['UVERA'] },
  { name: 'otto', role: 'operator', dingtalk: ['staff-o'], namespaces: ['team-a*'] },
  { name: 'ada', role: 'admin', dingtalk: ['staff-a'] },
];
const bindings: NonNullable<ConfigInput['auth']>['bindings'] = [
  { channel: '*', allow: ['query', 'alerts'] },
  { name: 'ops', platform: 'dingtalk', channel: 'cid-ops', allow: ['query', 'alerts', 'ops', 'admin'] },
];

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(auth: ConfigInput['auth'] = {}) {
  const deps = await createTestDeps({ auth: { users, bindings, ...auth } });
  await deps.lifecycle.start();
  cleanup.push(deps.stop);
  const audit = createAuditLog(deps);
  const { limit, windowSeconds } = deps.config.auth.rateLimit;
  const router = createRouter({
    deps,
    services: createCommandServices(deps),
    authz: createAuthz(deps.config),
    handlers: all,
    observers: [audit.record],
    rateLimiter: createRateLimiter({ redis: deps.redis, prefix: deps.config.redis.prefix, limit, windowSeconds }),
  });
  const who = (userId: string, channelId = 'cid-ops'): Identity => ({ platform: 'dingtalk', userId, displayName: userId, channelId });
  const last = async (): Promise<AuditEntry> => (await audit.latest(1))[0]!;
  return { deps, router, audit, who, last };
}

const text = (r: Reply) => renderText(r);

describe('role × command class', () => {
  const cases: Array<[string, string, boolean]> = [
    ['staff-v', 'host 10.0.0.1', true],
    ['staff-v', 'ack 7f3a', false],
    ['staff-v', 'cordon team-a/x', false],
    ['staff-v', 'audit', false],
    ['staff-o', 'host 10.0.0.1', true],
    ['staff-o', 'ack 7f3a', true],
    ['staff-o', 'cordon team-a/x', true],
    ['staff-o', 'audit', false],
    ['staff-a', 'host 10.0.0.1', true],
    ['staff-a', 'ack 7f3a', true],
    ['staff-a', 'cordon team-a/x', true],
    ['staff-a', 'audit', true],
  ];
  it('allows exactly what each role may run, and audits every decision', async () => {
    const { router, who, last } = await setup();
    for (const [userId, line, allowed] of cases) {
      const r = await router.handle(who(userId), line);
      const entry = await last();
      expect({ userId, line, error: Boolean(r.error) }).toEqual({ userId, line, error: !allowed });
      expect(entry.platformUserId).toBe(userId);
      expect(entry.command).toBe(line.split(' ')[0]);
      expect(entry.args).toEqual(line.split(' ').slice(1));
      expect(entry.channel).toBe('cid-ops');
      expect(entry.decision).toBe(allowed ? 'allowed' : 'refused');
      expect(entry.result).toBe(allowed ? 'ok' : 'refused');
      if (!allowed) expect(text(r)).toMatch(/needs the (operator|admin) role; you are (viewer|operator)/);
    }
  });
});

describe('namespace scopes', () => {
  it('lets a scoped operator act only in their namespaces and says which ones', async () => {
    const { router, who, last } = await setup();
    expect(text(await router.handle(who('staff-o'), 'cordon team-a-web/db-0'))).toContain('planned team-a-web/db-0');
    const r = await router.handle(who('staff-o'), 'cordon payments/db-0');
    expect(r.error).toBe(true);
    expect(text(r)).toContain('you may not act on namespace `payments`; your namespaces: team-a*');
    const entry = await last();
    expect(entry).toMatchObject({ user: 'otto', decision: 'allowed', result: 'user-error', command: 'cordon' });
    expect(entry.reason).toContain('payments');
  });
});

describe('channel bindings', () => {
  it('runs ops only in the ops channel, queries everywhere, help anywhere', async () => {
    const { router, who, last } = await setup();
    const refused = await router.handle(who('staff-a', 'cid-random'), 'cordon team-a/x');
    expect(refused.error).toBe(true);
    expect(text(refused)).toContain('`cordon` (ops) is not enabled in this channel; allowed here: query, alerts.');
    expect(await last()).toMatchObject({ decision: 'refused', channel: 'cid-random', user: 'ada' });
    expect((await router.handle(who('staff-a', 'cid-random'), 'audit')).error).toBe(true);
    expect((await router.handle(who('staff-a', 'cid-random'), 'host 10.0.0.1')).error).toBeUndefined();
    expect((await router.handle(who('staff-a', 'cid-random'), 'help')).error).toBeUndefined();
    expect((await router.handle(who('staff-a', 'cid-ops'), 'cordon team-a/x')).error).toBeUndefined();
    // The same channel id on another platform is not the ops channel.
    const slack = await router.handle({ platform: 'slack', userId: 'UVERA', channelId: 'cid-ops' }, 'ack 1');
    expect(text(slack)).toContain('needs the operator role');
  });

  it('lists in help only what may run in this channel', async () => {
    const { router, who } = await setup();
    const listed = async (channel: string) => {
      const table = (await router.handle(who('staff-a', channel), 'help')).blocks.find((b) => b.kind === 'table');
      return table?.kind === 'table' ? table.rows.map((r) => r[0]!.split(' ')[0]) : [];
    };
    expect(await listed('cid-ops')).toEqual(expect.arrayContaining(['cordon', 'audit', 'host', 'ack']));
    const random = await listed('cid-random');
    expect(random).toEqual(expect.arrayContaining(['help', 'whoami', 'host', 'ack']));
    expect(random).not.toContain('cordon');
    expect(random).not.toContain('audit');
    expect(text(await router.handle(who('staff-a', 'cid-random'), 'help cordon'))).toContain('you may run it, but not in this channel');
  });

  it('names the binding in the refusal', async () => {
    const { router, who } = await setup({ bindings: [{ name: 'read-only', channel: 'cid-ro', allow: ['host'] }] });
    expect(text(await router.handle(who('staff-a', 'cid-ro'), 'ack 1'))).toContain(
      'not enabled in the read-only channel; allowed here: host',
    );
    expect((await router.handle(who('staff-a', 'cid-ro'), 'host 1')).error).toBeUndefined();
    expect((await router.handle(who('staff-a', 'elsewhere'), 'ack 1')).error).toBeUndefined();
  });
});

describe('unknown users', () => {
  it('treats them as viewers by default', async () => {
    const { router, who, last } = await setup();
    expect(text(await router.handle(who('stranger'), 'host 10.0.0.9'))).toBe('host 10.0.0.9');
    expect(await last()).toMatchObject({ user: 'dingtalk:stranger', decision: 'allowed' });
    expect(text(await router.handle(who('stranger'), 'whoami'))).toMatch(/role\s+viewer/);
    expect((await router.handle(who('stranger'), 'ack 1')).error).toBe(true);
  });

  it('refuses them with defaultRole none and audits the attempt', async () => {
    const { router, who, last } = await setup({ defaultRole: 'none' });
    const r = await router.handle(who('stranger'), 'host 10.0.0.9');
    expect(text(r)).toContain('not a registered firstmate user; ask an admin to add your id stranger');
    expect(await last()).toMatchObject({ user: '', platformUserId: 'stranger', decision: 'refused', command: 'host' });
    expect((await router.handle(who('staff-v'), 'host 1')).error).toBeUndefined();
  });
});

describe('buttons', () => {
  it('authorises the presser, not the one who asked', async () => {
    const { router, who, last } = await setup();
    const plan = await router.handle(who('staff-o'), 'cordon team-a/db-0');
    const button = plan.blocks.flatMap((b) => (b.kind === 'actions' ? b.actions : []))[0]!;
    const pressed = await router.handle(who('staff-v'), button.command);
    expect(text(pressed)).toContain('needs the operator role; you are viewer');
    expect(await last()).toMatchObject({
      user: 'vera',
      platformUserId: 'staff-v',
      command: 'cordon',
      args: ['team-a/db-0'],
      decision: 'refused',
    });
    expect((await router.handle(who('staff-o'), button.command)).error).toBeUndefined();
  });
});

describe('rate limit', () => {
  it('refuses politely past the limit, per user, with when to retry', async () => {
    const { router, who, last } = await setup({ rateLimit: { limit: 3, windowSeconds: 60 } });
    for (let i = 0; i < 3; i++) expect((await router.handle(who('staff-v'), 'host 1')).error).toBeUndefined();
    const r = await router.handle(who('staff-v'), 'host 1');
    expect(text(r)).toMatch(/faster than allowed \(3 per 60 s\); please try again in \d+ s\./);
    expect(await last()).toMatchObject({ user: 'vera', decision: 'refused', result: 'refused' });
    expect((await router.handle(who('staff-a'), 'host 1')).error).toBeUndefined();
  });
});

describe('audit command', () => {
  it('shows the latest n entries newest first to admins', async () => {
    const { router, who, audit } = await setup();
    await router.handle(who('staff-v'), 'host 10.0.0.1');
    await router.handle(who('staff-v'), 'ack 9');
    const r = await router.handle(who('staff-a'), 'audit 2');
    const table = r.blocks.find((b) => b.kind === 'table');
    expect(table?.kind === 'table' && table.rows.map((row) => [row[1], row[4], row[5]])).toEqual([
      ['vera', 'ack 9', 'refused'],
      ['vera', 'host 10.0.0.1', 'ok'],
    ]);
    expect(text(await router.handle(who('staff-a'), 'audit 0'))).toContain('"0" is not a count');
    const stored = await audit.latest(10);
    expect(stored[0]?.command).toBe('audit');
    expect(stored.map((e) => e.command)).toEqual(['audit', 'audit', 'ack', 'host']);
    expect(stored[1]!.durationMs).toBeGreaterThanOrEqual(0);
  });
});

describe('audit retention', () => {
  const outcome = (i: number) => ({
    identity: { platform: 'slack' as const, userId: 'U1', channelId: 'C1' },
    command: 'host',
    args: [String(i)],
    decision: 'allowed' as const,
    result: 'ok' as const,
    durationMs: 1,
    at: new Date(),
  });

  it('trims by age on append', async () => {
    const deps = await createTestDeps({ audit: { retentionDays: 1.5 / 86_400 } });
    await deps.lifecycle.start();
    cleanup.push(deps.stop);
    const audit = createAuditLog(deps);
    for (let i = 0; i < 250; i++) await audit.record(outcome(i));
    expect(await deps.redis.xlen(audit.key)).toBe(250);
    await new Promise((r) => setTimeout(r, 1600));
    await audit.record(outcome(250));
    // Trimming is approximate (whole stream nodes), never below what is within the retention.
    expect(await deps.redis.xlen(audit.key)).toBeLessThan(150);
    expect((await audit.latest(1))[0]!.args).toEqual(['250']);
  });

  it('caps the number of entries', async () => {
    const deps = await createTestDeps({ audit: { maxEntries: 10 } });
    await deps.lifecycle.start();
    cleanup.push(deps.stop);
    const audit = createAuditLog(deps);
    for (let i = 0; i < 300; i++) await audit.record(outcome(i));
    const len = await deps.redis.xlen(audit.key);
    expect(len).toBeGreaterThanOrEqual(10);
    expect(len).toBeLessThan(150);
  });
});
