import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { formatDuration } from './duration.ts';
import { redisKeys } from '../core/redis-keys.ts';
import { formatMatcher, matchesAll, parseMatchers, type Matcher } from './matchers.ts';
import { matchAllReason } from './silence-guard.ts';

/** An Alertmanager-style silence: alerts matching every matcher are muted between the two times. */
export interface Silence {
  id: string;
  matchers: Matcher[];
  /** ISO 8601. */
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  /** Set when someone expired it early. */
  expiredBy?: string;
}

export type SilenceState = 'active' | 'pending' | 'expired';

export function silenceState(s: Silence, now = Date.now()): SilenceState {
  if (Date.parse(s.endsAt) <= now) return 'expired';
  return Date.parse(s.startsAt) > now ? 'pending' : 'active';
}

export function describeMatchers(s: Pick<Silence, 'matchers'>): string {
  return s.matchers.map(formatMatcher).join(', ');
}

/** A silence refused for what it would do (matching everything, lasting too long): shown to the user as is. */
export class SilenceRefused extends Error {
  override name = 'SilenceRefused';
}

/** What `create` takes: matchers as text, the time span, who and why. */
export interface SilenceInput {
  matchers: string[];
  startsAt?: Date;
  endsAt: Date;
  createdBy: string;
  comment?: string;
  /** Allow a silence that matches everything (admins only: the caller checks the role). */
  all?: boolean;
}

/**
 * Silences in one Redis hash (`<prefix>:silences`), shared by every replica. Every path (chat,
 * API) goes through `create`, which refuses match-all silences unless `all` is given and caps the
 * duration at `maxDurationMs`; `openAlerts` supplies the labels of the currently open alerts.
 */
export function createSilences(
  redis: Redis,
  prefix: string,
  o: { maxDurationMs?: number; openAlerts?: () => Promise<Array<Record<string, string>>> } = {},
) {
  const maxDurationMs = o.maxDurationMs ?? 30 * 86_400_000;
  const key = redisKeys(prefix).silences;
  const readAll = async (): Promise<Silence[]> => {
    const raw = await redis.hvals(key);
    return raw.map((v) => JSON.parse(v) as Silence);
  };
  return {
    maxDurationMs,
    /**
     * Validates and stores a silence; throws an `Error` with a readable message on bad input and a
     * `SilenceRefused` for a match-all silence without `all` or one over the longest duration.
     */
    async create(input: SilenceInput): Promise<Silence> {
      const matchers = parseMatchers(input.matchers);
      if (matchers.length === 0) throw new Error('a silence needs at least one matcher');
      const startsAt = input.startsAt ?? new Date();
      if (!(input.endsAt.getTime() > startsAt.getTime())) throw new Error('a silence must end after it starts');
      const ends = input.endsAt.getTime() - Date.now();
      if (ends > maxDurationMs) throw new SilenceRefused(`a silence may last at most ${formatDuration(maxDurationMs)}`);
      if (!input.all) {
        const reason = matchAllReason(matchers, o.openAlerts ? await o.openAlerts() : []);
        if (reason) throw new SilenceRefused(`refused: this silence would mute everything (${reason}); an admin may pass --all to mean it`);
      }
      const s: Silence = {
        id: randomBytes(4).toString('hex'),
        matchers,
        startsAt: startsAt.toISOString(),
        endsAt: input.endsAt.toISOString(),
        createdBy: input.createdBy,
        comment: input.comment ?? '',
      };
      await redis.hset(key, s.id, JSON.stringify(s));
      return s;
    },
    /** Ends a silence now; answers undefined when there is no such silence. */
    async expire(id: string, by: string): Promise<Silence | undefined> {
      const raw = await redis.hget(key, id);
      if (!raw) return undefined;
      const s = JSON.parse(raw) as Silence;
      if (silenceState(s) === 'expired') return s;
      const now = new Date().toISOString();
      const updated: Silence = { ...s, endsAt: now, expiredBy: by, startsAt: s.startsAt < now ? s.startsAt : now };
      await redis.hset(key, id, JSON.stringify(updated));
      return updated;
    },
    async get(id: string): Promise<Silence | undefined> {
      const raw = await redis.hget(key, id);
      return raw ? (JSON.parse(raw) as Silence) : undefined;
    },
    /** Every silence, newest first; expired ones older than a day are dropped on the way. */
    async list(): Promise<Silence[]> {
      const all = await readAll();
      const cutoff = Date.now() - 86_400_000;
      const stale = all.filter((s) => Date.parse(s.endsAt) < cutoff).map((s) => s.id);
      if (stale.length > 0) await redis.hdel(key, ...stale);
      return all.filter((s) => !stale.includes(s.id)).sort((a, b) => b.startsAt.localeCompare(a.startsAt));
    },
    /** Silences in force at `now`. */
    async active(now = Date.now()): Promise<Silence[]> {
      return (await readAll()).filter((s) => silenceState(s, now) === 'active');
    },
  };
}

export type Silences = ReturnType<typeof createSilences>;

/** The id of the first silence muting `labels`, if any. */
export function silencedBy(silences: readonly Silence[], labels: Record<string, string>): string | undefined {
  return silences.find((s) => matchesAll(s.matchers, labels))?.id;
}
