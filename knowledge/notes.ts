/**
 * Resolution notes in Redis: what someone did last time an alert fired. Each note is stored once
 * (a hash field holding JSON) and indexed by fingerprint, alertname and article in sorted sets
 * scored by time, so the latest note for an alert and the notes of an article are one range read.
 * All keys share one prefix (use a hash tag such as `{firstmate}:kb:` on Redis Cluster, since a
 * note is written in one MULTI).
 */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { luaCommand } from '../core/lua-command.ts';
import { knowledgeKeys } from '../core/redis-keys.ts';

/** What a note is about. At least one field is set. */
export interface NoteRef {
  fingerprint?: string;
  alertname?: string;
  articleId?: string;
}

export interface Note {
  id: string;
  text: string;
  author: string;
  /** ISO 8601. */
  at: string;
  fingerprint?: string;
  alertname?: string;
  /** The articles the note is attached to. */
  articleIds: string[];
}

const noteSchema = z.object({
  id: z.string(),
  text: z.string(),
  author: z.string(),
  at: z.string(),
  fingerprint: z.string().optional(),
  alertname: z.string().optional(),
  articleIds: z.array(z.string()),
});

export const noteInputSchema = z.object({
  text: z.string().trim().min(1, 'the note is empty').max(4000, 'the note is longer than 4000 characters'),
  author: z.string().trim().min(1, 'the author is missing').max(200),
  at: z.coerce.date<Date | string | number>({ error: 'the time is not a valid date' }).optional(),
  fingerprint: z.string().trim().min(1).max(200).optional(),
  alertname: z.string().trim().min(1).max(200).optional(),
  articleIds: z.array(z.string().min(1).max(80)).max(50),
});

export type NoteInput = z.input<typeof noteInputSchema>;

export interface NoteStore {
  add(input: NoteInput): Promise<Note>;
  /** The newest note on the fingerprint, else the newest on the alertname: one script call (`latest-note.lua`). */
  latestFor(fingerprint?: string, alertname?: string): Promise<{ note: Note; via: 'fingerprint' | 'alertname' } | undefined>;
  /** Newest first. */
  forArticle(articleId: string, limit?: number): Promise<Note[]>;
  /** Newest first. */
  all(limit?: number): Promise<Note[]>;
}

const latestLua = readFileSync(new URL('./latest-note.lua', import.meta.url), 'utf8');
type LatestCommand = (n: number, ...keys: string[]) => Promise<[number, string] | null>;

export function createNoteStore(deps: { redis: Redis; keyPrefix: string }): NoteStore {
  const { redis } = deps;
  const latest = luaCommand<LatestCommand>(redis, 'fmLatestNote', latestLua);
  const keys = knowledgeKeys(deps.keyPrefix);
  const notesKey = keys.notes;
  const seqKey = keys.noteSeq;
  const allKey = keys.notesByTime;
  const fpKey = keys.notesByFingerprint;
  const nameKey = keys.notesByAlertname;
  const articleKey = keys.notesByArticle;

  // Sorted-set members are zero-padded ids, so notes written in the same millisecond keep their order.
  const member = (id: string) => id.padStart(12, '0');
  const read = async (members: string[]): Promise<Note[]> => {
    if (members.length === 0) return [];
    const raw = await redis.hmget(notesKey, ...members.map((m) => String(Number(m))));
    const out: Note[] = [];
    for (const json of raw) {
      if (json === null) continue;
      const parsed = noteSchema.safeParse(JSON.parse(json));
      if (parsed.success) out.push(parsed.data);
    }
    return out;
  };
  const newest = async (key: string, limit: number) => read(await redis.zrevrange(key, 0, Math.max(0, limit - 1)));

  return {
    async add(input) {
      const v = noteInputSchema.parse(input);
      if (!v.fingerprint && !v.alertname && v.articleIds.length === 0) {
        throw new Error('a note needs an alert fingerprint, an alertname or an article');
      }
      const at = v.at ?? new Date();
      const id = String(await redis.incr(seqKey));
      const note: Note = {
        id,
        text: v.text,
        author: v.author,
        at: at.toISOString(),
        ...(v.fingerprint ? { fingerprint: v.fingerprint } : {}),
        ...(v.alertname ? { alertname: v.alertname } : {}),
        articleIds: [...new Set(v.articleIds)],
      };
      const score = at.getTime();
      const m = member(id);
      const tx = redis.multi().hset(notesKey, id, JSON.stringify(note)).zadd(allKey, score, m);
      if (note.fingerprint) tx.zadd(fpKey(note.fingerprint), score, m);
      if (note.alertname) tx.zadd(nameKey(note.alertname), score, m);
      for (const a of note.articleIds) tx.zadd(articleKey(a), score, m);
      const results = await tx.exec();
      const failed = results?.find(([err]) => err);
      if (!results || failed) throw new Error('storing the note failed', { cause: failed?.[0] ?? undefined });
      return note;
    },
    async latestFor(fingerprint, alertname) {
      const tries = [
        ...(fingerprint ? [{ key: fpKey(fingerprint), via: 'fingerprint' as const }] : []),
        ...(alertname ? [{ key: nameKey(alertname), via: 'alertname' as const }] : []),
      ];
      if (tries.length === 0) return undefined;
      const found = await latest(tries.length + 1, notesKey, ...tries.map((t) => t.key));
      if (!found) return undefined;
      const parsed = noteSchema.safeParse(JSON.parse(found[1]));
      return parsed.success ? { note: parsed.data, via: tries[found[0] - 1]!.via } : undefined;
    },
    forArticle: (id, limit = 50) => newest(articleKey(id), limit),
    all: (limit = 1000) => newest(allKey, limit),
  };
}
