import type { CommandOutcome } from './router.ts';
import type { ChatDeps } from './types.ts';
import { redisKeys } from '../core/redis-keys.ts';

/** One audited command as stored in the Redis stream and shown by `audit`. */
export interface AuditEntry {
  /** Stream entry id (`<ms>-<seq>`). */
  id: string;
  at: string;
  /** firstmate user id, empty when the identity maps to no user. */
  user: string;
  platform: string;
  platformUserId: string;
  channel: string;
  command: string;
  args: string[];
  decision: string;
  result: string;
  reason: string;
  durationMs: number;
  ref: string;
}

/** Appends every command outcome to the audit stream and reads the latest back. */
export interface AuditLog {
  /** The router observer: appends one entry and logs it. */
  record(outcome: CommandOutcome): Promise<void>;
  /** Appends an action taken outside chat (the HTTP API), under the name of the API token. */
  recordApi(e: { by: string; action: string; args: string[]; result: string; reason?: string; at: Date }): Promise<void>;
  /** Appends an entry that is not a chat command (an operation's transition, by the user or by firstmate). */
  event(e: {
    user: string;
    command: string;
    args: string[];
    decision: string;
    result: string;
    reason?: string;
    channel?: string;
    platform?: string;
  }): Promise<void>;
  /** Newest first. */
  latest(n: number): Promise<AuditEntry[]>;
  readonly key: string;
}

const DAY_MS = 86_400_000;

/**
 * The audit log: a Redis stream under `<prefix>:audit`, trimmed on every append both by count
 * (`MAXLEN ~ audit.maxEntries`) and by age (`MINID ~ now - audit.retentionDays`). Appends are
 * independent entries, so replicas share one log without coordination.
 */
export function createAuditLog(deps: Pick<ChatDeps, 'redis' | 'config' | 'logger'>): AuditLog {
  const { redis, config, logger } = deps;
  const key = redisKeys(config.redis.prefix).audit;
  const { maxEntries, retentionDays } = config.audit;
  const append = async (fields: Record<string, string>, at: Date) => {
    const minId = Math.max(0, at.getTime() - Math.round(retentionDays * DAY_MS));
    await redis
      .multi()
      .xadd(key, 'MAXLEN', '~', String(maxEntries), '*', ...Object.entries(fields).flat())
      .xtrim(key, 'MINID', '~', String(minId))
      .exec();
  };
  return {
    key,
    async recordApi(e) {
      await append(
        {
          at: e.at.toISOString(),
          user: e.by,
          platform: 'api',
          platformUserId: e.by,
          channel: 'http',
          command: e.action,
          args: JSON.stringify(e.args),
          decision: e.result === 'ok' ? 'allowed' : 'refused',
          result: e.result,
          reason: e.reason ?? '',
          durationMs: '0',
          ref: '',
        },
        e.at,
      );
    },
    async event(e) {
      const at = new Date();
      const fields: Record<string, string> = {
        at: at.toISOString(),
        user: e.user,
        platform: e.platform ?? '',
        platformUserId: '',
        channel: e.channel ?? '',
        command: e.command,
        args: JSON.stringify(e.args),
        decision: e.decision,
        result: e.result,
        reason: e.reason ?? '',
        durationMs: '0',
        ref: '',
      };
      logger.info({ audit: { ...fields, args: e.args } }, 'operation');
      await append(fields, at);
    },
    async record(o) {
      const fields: Record<string, string> = {
        at: o.at.toISOString(),
        user: o.user?.id ?? '',
        platform: o.identity.platform,
        platformUserId: o.identity.userId,
        channel: o.identity.channelId,
        command: o.command,
        args: JSON.stringify(o.args),
        decision: o.decision,
        result: o.result,
        reason: o.reason ?? '',
        durationMs: String(Math.round(o.durationMs)),
        ref: o.ref ?? '',
      };
      logger.info({ audit: { ...fields, args: o.args } }, 'chat command');
      await append(fields, o.at);
    },
    async latest(n) {
      const rows = await redis.xrevrange(key, '+', '-', 'COUNT', n);
      return rows.map(([id, flat]) => toEntry(id, flat));
    },
  };
}

function toEntry(id: string, flat: string[]): AuditEntry {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
  let args: string[] = [];
  try {
    const parsed: unknown = JSON.parse(f.args ?? '[]');
    if (Array.isArray(parsed)) args = parsed.map(String);
  } catch {
    args = [f.args ?? ''];
  }
  return {
    id,
    at: f.at ?? new Date(Number(id.split('-')[0])).toISOString(),
    user: f.user ?? '',
    platform: f.platform ?? '',
    platformUserId: f.platformUserId ?? '',
    channel: f.channel ?? '',
    command: f.command ?? '',
    args,
    decision: f.decision ?? '',
    result: f.result ?? '',
    reason: f.reason ?? '',
    durationMs: Number(f.durationMs ?? 0),
    ref: f.ref ?? '',
  };
}
