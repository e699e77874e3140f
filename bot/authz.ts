import type { Config } from './config-schema.ts';
import type { Identity, User } from '../handlers/types.ts';

/** Maps a platform identity to a firstmate user, or undefined when unknown users are refused. */
export function createAuthz(config: Config) {
  const byIdentity = new Map<string, User>();
  for (const u of config.auth.users) {
    const user: User = { id: u.name, name: u.name, role: u.role, namespaces: u.namespaces };
    for (const id of u.slack) byIdentity.set(`slack:${id}`, user);
    for (const id of u.dingtalk) byIdentity.set(`dingtalk:${id}`, user);
    for (const id of u.console) byIdentity.set(`console:${id}`, user);
  }
  return {
    resolve(identity: Identity): User | undefined {
      const known = byIdentity.get(`${identity.platform}:${identity.userId}`);
      if (known) return known;
      const name = identity.displayName ?? identity.userId;
      if (identity.platform === 'console') return { id: identity.userId, name, role: config.auth.consoleRole, namespaces: ['*'] };
      if (config.auth.defaultRole === 'none') return undefined;
      return { id: `${identity.platform}:${identity.userId}`, name, role: config.auth.defaultRole, namespaces: ['*'] };
    },
  };
}

export type Authz = ReturnType<typeof createAuthz>;
