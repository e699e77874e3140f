import type { AuthConfig, BindingConfig, CommandClass } from './config-schema.ts';
import { UserError } from '../core/errors.ts';
import type { Handler, Identity, User } from './command.ts';

/**
 * The class of every command in the chat contract, for channel bindings. A handler may declare
 * its own with `Handler.class`; commands in neither place are `query`.
 */
const classOf: Record<string, CommandClass | 'meta'> = {
  help: 'meta',
  whoami: 'meta',
  host: 'query',
  pod: 'query',
  pods: 'query',
  kb: 'query',
  alerts: 'alerts',
  ack: 'alerts',
  silence: 'alerts',
  silences: 'alerts',
  unsilence: 'alerts',
  'delete-pod': 'ops',
  'recreate-pod': 'ops',
  cordon: 'ops',
  uncordon: 'ops',
  drain: 'ops',
  ops: 'ops',
  confirm: 'ops',
  cancel: 'ops',
  audit: 'admin',
};

/** The binding class of a command: `meta` commands (help, whoami) run in every channel. */
export function commandClassOf(handler: Pick<Handler<unknown>, 'name' | 'class'>): CommandClass | 'meta' {
  return handler.class ?? classOf[handler.name] ?? 'query';
}

/** Whether `pattern` (`*`, `team-*`, or an exact name) covers the namespace `ns`. */
function namespaceMatches(pattern: string, ns: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return ns.startsWith(pattern.slice(0, -1));
  return pattern === ns;
}

/** Whether the user may act on objects in namespace `ns`. */
export function mayActOn(user: Pick<User, 'namespaces'>, ns: string): boolean {
  return user.namespaces.some((p) => namespaceMatches(p, ns));
}

/**
 * Throws a `UserError` naming the namespaces the user may act on when `ns` is not one of them.
 * Handlers that act on a namespaced object (safe operations, acks, silences) call this before
 * doing anything.
 */
export function assertNamespace(user: Pick<User, 'name' | 'namespaces'>, ns: string): void {
  if (mayActOn(user, ns)) return;
  const allowed = user.namespaces.length > 0 ? user.namespaces.join(', ') : 'none';
  throw new UserError(`you may not act on namespace \`${ns}\`; your namespaces: ${allowed}`);
}

/** A binding decision: `allowed`, or why not. */
export type BindingVerdict = { allowed: true } | { allowed: false; reason: string };

/** Everything the router asks before running a command. */
export interface Authz {
  /** The firstmate user behind a platform identity, or undefined when unknown users are refused. */
  resolve(identity: Identity): User | undefined;
  /** Whether the channel the identity speaks in allows this command (channel bindings). */
  checkBinding(identity: Identity, handler: Pick<Handler<unknown>, 'name' | 'class'>): BindingVerdict;
  /** The binding that governs a channel, if any (for `help` and refusals). */
  bindingFor(identity: Pick<Identity, 'platform' | 'channelId'>): BindingConfig | undefined;
}

/**
 * Maps platform identities to firstmate users (config `auth.users`, default role for unknown
 * ones, the console's own role) and evaluates channel bindings (`auth.bindings`).
 */
export function createAuthz(config: { auth: AuthConfig }): Authz {
  const byIdentity = new Map<string, User>();
  for (const u of config.auth.users) {
    const user: User = { id: u.name, name: u.name, role: u.role, namespaces: u.namespaces };
    for (const id of u.slack) byIdentity.set(`slack:${id}`, user);
    for (const id of u.dingtalk) byIdentity.set(`dingtalk:${id}`, user);
    for (const id of u.console) byIdentity.set(`console:${id}`, user);
  }
  const bindings = config.auth.bindings;
  const bindingFor = (identity: Pick<Identity, 'platform' | 'channelId'>): BindingConfig | undefined =>
    bindings.find((b) => b.platform === identity.platform && b.channel === identity.channelId) ??
    bindings.find((b) => b.platform === '*' && b.channel === identity.channelId) ??
    bindings.find((b) => b.platform === identity.platform && b.channel === '*') ??
    bindings.find((b) => b.platform === '*' && b.channel === '*');

  return {
    resolve(identity) {
      const known = byIdentity.get(`${identity.platform}:${identity.userId}`);
      if (known) return known;
      const name = identity.displayName ?? identity.userId;
      if (identity.platform === 'console') return { id: identity.userId, name, role: config.auth.consoleRole, namespaces: ['*'] };
      if (config.auth.defaultRole === 'none') return undefined;
      return { id: `${identity.platform}:${identity.userId}`, name, role: config.auth.defaultRole, namespaces: ['*'] };
    },
    bindingFor,
    checkBinding(identity, handler) {
      const cls = commandClassOf(handler);
      if (cls === 'meta') return { allowed: true };
      const binding = bindingFor(identity);
      if (!binding || binding.allow.includes(cls) || binding.allow.includes(handler.name)) return { allowed: true };
      const where = binding.name ? `the ${binding.name} channel` : 'this channel';
      return {
        allowed: false,
        reason: `\`${handler.name}\` (${cls}) is not enabled in ${where}; allowed here: ${binding.allow.join(', ')}.`,
      };
    },
  };
}
