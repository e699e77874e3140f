import type { Reply } from '../core/reply.ts';
import type { CommandClass } from './config-schema.ts';

export type Role = 'viewer' | 'operator' | 'admin';
export type Platform = 'console' | 'slack' | 'dingtalk';

/** Who is asking and where: what the adapter knows before authorisation. */
export interface Identity {
  platform: Platform;
  /** Platform user id (Slack `U…`, DingTalk staff id, console OS user). */
  userId: string;
  displayName?: string;
  channelId: string;
}

/** A firstmate user, as the authorisation layer resolved the identity. */
export interface User {
  id: string;
  name: string;
  role: Role;
  /** Namespaces the user may act on; `*` means all. */
  namespaces: string[];
}

/** What a command gets: the narrow services `S` it acts through, who asks, and the arguments. */
export interface CommandContext<S> {
  services: S;
  identity: Identity;
  user: User;
  /** Arguments after the command name, unquoted. */
  args: string[];
  /** Every registered handler, for `help`. */
  handlers: readonly Handler<S>[];
  /** Whether the channel binding lets this command run where the user is (set by the router). */
  allowedHere?(handler: Handler<S>): boolean;
  /** The command as typed on the user's platform (`/ops help`, `@firstmate help`, `help`); set by the router. */
  commandForm?(command: string): string;
}

/** One chat command. Registered explicitly in `handlers/index.ts`. */
export interface Handler<S> {
  name: string;
  /** Minimal role; `anyone` runs for every known identity. */
  role: Role | 'anyone';
  /**
   * What channel bindings call it: `query`, `alerts`, `ops`, `admin`. Defaults to the class the
   * chat contract gives the command name (`chat/authz.ts`), else `query`.
   */
  class?: CommandClass;
  usage: string;
  summary: string;
  run(ctx: CommandContext<S>): Promise<Reply>;
}

const rank: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

export function roleAllows(have: Role, need: Role | 'anyone'): boolean {
  return need === 'anyone' || rank[have] >= rank[need];
}
