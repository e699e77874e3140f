import { describe, expect, it } from 'vitest';
import { assertNamespace, commandClassOf, createAuthz, mayActOn } from '../../../chat/authz.ts';
import { configSchema } from '../../../app/config-schema.ts';
import { UserError } from '../../../core/errors.ts';

describe('namespace scopes', () => {
  const user = { name: 'otto', namespaces: ['payments', 'team-a*'] };
  it('matches exact names and prefixes', () => {
    expect(mayActOn(user, 'payments')).toBe(true);
    expect(mayActOn(user, 'payments-2')).toBe(false);
    expect(mayActOn(user, 'team-a-web')).toBe(true);
    expect(mayActOn({ namespaces: ['*'] }, 'kube-system')).toBe(true);
    expect(mayActOn({ namespaces: [] }, 'default')).toBe(false);
  });
  it('says which namespaces are allowed', () => {
    expect(() => assertNamespace(user, 'kube-system')).toThrow(UserError);
    expect(() => assertNamespace(user, 'kube-system')).toThrow(
      'you may not act on namespace `kube-system`; your namespaces: payments, team-a*',
    );
    expect(() => assertNamespace(user, 'team-a')).not.toThrow();
  });
});

describe('command classes and bindings', () => {
  it('classes the contract commands', () => {
    expect(commandClassOf({ name: 'host' })).toBe('query');
    expect(commandClassOf({ name: 'silence' })).toBe('alerts');
    expect(commandClassOf({ name: 'delete-pod' })).toBe('ops');
    expect(commandClassOf({ name: 'audit' })).toBe('admin');
    expect(commandClassOf({ name: 'help' })).toBe('meta');
    expect(commandClassOf({ name: 'host', class: 'ops' })).toBe('ops');
  });

  it('picks the most specific binding', () => {
    const authz = createAuthz(
      configSchema.parse({
        auth: {
          bindings: [
            { channel: '*', allow: ['query'] },
            { platform: 'slack', channel: '*', allow: ['alerts'] },
            { channel: 'C1', allow: ['ops'] },
            { platform: 'slack', channel: 'C1', allow: ['admin'] },
          ],
        },
      }),
    );
    const at = (platform: 'slack' | 'dingtalk', channelId: string) => authz.bindingFor({ platform, channelId })?.allow;
    expect(at('slack', 'C1')).toEqual(['admin']);
    expect(at('dingtalk', 'C1')).toEqual(['ops']);
    expect(at('slack', 'C2')).toEqual(['alerts']);
    expect(at('dingtalk', 'cid')).toEqual(['query']);
    expect(
      createAuthz(configSchema.parse({})).checkBinding({ platform: 'slack', userId: 'U1', channelId: 'C9' }, { name: 'cordon' }),
    ).toEqual({ allowed: true });
  });

  it('rejects an enabled DingTalk without credentials', () => {
    const r = configSchema.safeParse({ chat: { dingtalk: { enabled: true } } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toContain('DINGTALK_CLIENT_ID');
  });
});
