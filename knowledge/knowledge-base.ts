/**
 * The knowledge base: articles loaded once at start (built-in folder plus configured folders),
 * matched against alerts, searched from chat and the web, and grown by resolution notes in Redis.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Alert } from '../alerts/model.ts';
import { UserError } from '../core/errors.ts';
import { redisKeys } from '../core/redis-keys.ts';
import { BUILTIN_ARTICLES_DIR, loadArticles } from './load.ts';
import { createMatcher, type ArticleMatch } from './match.ts';
import { allNotesMarkdown, articleNotesMarkdown } from './notes-export.ts';
import { createNoteStore, type Note, type NoteRef } from './notes.ts';
import type { Article, Problem } from './schema.ts';
import { createSearchIndex, type SearchHit } from './search.ts';

/** A link shown with an alert: a knowledge article (`id` set) or the alert's own runbook. */
export interface KnowledgeLink {
  title: string;
  url: string;
  id?: string;
}

/** What the alert pipeline calls to attach knowledge links to a notification. */
export interface KnowledgeLinks {
  linksFor(alert: Alert): KnowledgeLink[];
}

/** The latest resolution note for an alert: same fingerprint first, else same alertname. */
export interface Resolution {
  text: string;
  author: string;
  /** ISO 8601. */
  at: string;
  via: 'fingerprint' | 'alertname';
}

export interface AddNoteInput {
  ref: NoteRef;
  text: string;
  author: string;
  /** When it was written (a Date or ISO 8601); default now. */
  at?: Date | string;
  /** The alert the note is about, when the caller has it: fills fingerprint, alertname and articles. */
  alert?: Alert;
}

export interface KnowledgeBase extends KnowledgeLinks {
  readonly articles: readonly Article[];
  /** Problems found while loading; broken articles are left out. */
  readonly problems: readonly Problem[];
  get(id: string): Article | undefined;
  /** `${publicBaseUrl}/kb/${id}`. */
  urlFor(id: string): string;
  /** Articles for the alert, most specific first. */
  match(alert: Alert): ArticleMatch[];
  search(query: string, limit?: number): SearchHit[];
  /** Reads a chat reference: an article id, an alert fingerprint or an alertname. Throws UserError. */
  resolveRef(ref: string): Promise<NoteRef>;
  /** Stores a note, attached to the articles that match its alert (or the article it names). */
  addNote(input: AddNoteInput): Promise<Note>;
  lastResolution(alert: Alert): Promise<Resolution | undefined>;
  /** Notes attached to the article, newest first. */
  notesFor(articleId: string, limit?: number): Promise<Note[]>;
  /** The notes as markdown, ready to become (part of) an article. */
  exportNotes(articleId: string | 'all'): Promise<string>;
}

export interface KnowledgeBaseOptions {
  redis: Redis;
  /** Extra folders, loaded after the built-in one. */
  dirs?: readonly string[];
  /** Replaces the built-in folder (tests, or a deployment shipping its own articles). */
  builtinDir?: string | null;
  /**
   * Where people reach the pages: a URL, or a function answering it when asked (the process
   * knows its port only once it listens). Default `http://localhost:8080`.
   */
  publicBaseUrl?: string | (() => string);
  /** Default `{firstmate}:kb:` (one Redis Cluster slot, since a note is written in one MULTI). */
  keyPrefix?: string;
  maxLinks?: number;
  /** Finds a current alert by fingerprint, so notes given by fingerprint attach to its articles. */
  findAlert?: (fingerprint: string) => Promise<Alert | undefined>;
}

const FINGERPRINT = /^[0-9a-f]{16}$/;
const ALERTNAME = /^[A-Za-z_:][A-Za-z0-9_:.]{0,199}$/;

function runbookOf(alert: Alert): string | undefined {
  const raw = alert.annotations.runbook_url ?? alert.annotations.runbook ?? alert.links.runbook;
  if (!raw) return undefined;
  try {
    const url = new URL(raw.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

function alertOnlyNamed(alertname: string): Alert {
  return {
    source: '',
    fingerprint: '',
    status: 'firing',
    severity: 'warning',
    labels: { alertname },
    annotations: {},
    startsAt: new Date(0).toISOString(),
    subject: {},
    links: {},
  };
}

export async function createKnowledgeBase(options: KnowledgeBaseOptions): Promise<KnowledgeBase> {
  const builtin = options.builtinDir === undefined ? BUILTIN_ARTICLES_DIR : options.builtinDir;
  const dirs = [...(builtin ? [builtin] : []), ...(options.dirs ?? [])];
  const { articles, problems } = await loadArticles(dirs);
  const byId = new Map(articles.map((a) => [a.id, a]));
  const matcher = createMatcher(articles);
  const index = createSearchIndex(articles);
  const notes = createNoteStore({ redis: options.redis, keyPrefix: options.keyPrefix ?? redisKeys('{firstmate}').knowledgePrefix });
  const configured = options.publicBaseUrl ?? 'http://localhost:8080';
  const base = () => (typeof configured === 'function' ? configured() : configured).replace(/\/+$/, '');
  const maxLinks = options.maxLinks ?? 3;
  const urlFor = (id: string) => `${base()}/kb/${encodeURIComponent(id)}`;

  /** Rule matches when there are any, else the weaker tag matches. */
  const attachTo = (alert: Alert): string[] => {
    const found = matcher.match(alert);
    const strong = found.filter((m) => m.score.conditions > 0);
    return (strong.length > 0 ? strong : found).map((m) => m.article.id);
  };

  const kb: KnowledgeBase = {
    articles,
    problems,
    get: (id) => byId.get(id),
    urlFor,
    match: (alert) => matcher.match(alert),
    search: (query, limit) => index.search(query, limit),
    linksFor(alert) {
      const links: KnowledgeLink[] = [];
      const runbook = runbookOf(alert);
      if (runbook) links.push({ title: 'Runbook', url: runbook });
      for (const m of matcher.match(alert).slice(0, maxLinks)) {
        const url = urlFor(m.article.id);
        if (!links.some((l) => l.url === url)) links.push({ title: m.article.title, url, id: m.article.id });
      }
      return links;
    },
    async resolveRef(ref) {
      const r = ref.trim();
      if (byId.has(r)) return { articleId: r };
      if (options.findAlert && (await options.findAlert(r))) return { fingerprint: r };
      if (FINGERPRINT.test(r)) return { fingerprint: r };
      if (ALERTNAME.test(r)) return { alertname: r };
      throw new UserError(`"${r}" is not an article id, an alert fingerprint or an alertname`);
    },
    async addNote(input) {
      const { ref } = input;
      if (ref.articleId !== undefined && !byId.has(ref.articleId)) throw new UserError(`no article "${ref.articleId}"`);
      const alert = input.alert ?? (ref.fingerprint && options.findAlert ? await options.findAlert(ref.fingerprint) : undefined);
      const fingerprint = alert?.fingerprint || ref.fingerprint;
      const alertname = alert?.labels.alertname || ref.alertname;
      const articleIds = [
        ...(ref.articleId ? [ref.articleId] : []),
        ...(alert ? attachTo(alert) : alertname ? attachTo(alertOnlyNamed(alertname)) : []),
      ];
      if (!fingerprint && !alertname && articleIds.length === 0)
        throw new UserError('a note needs an alert fingerprint, an alertname or an article');
      try {
        return await notes.add({
          text: input.text,
          author: input.author,
          ...(input.at ? { at: input.at } : {}),
          ...(fingerprint ? { fingerprint } : {}),
          ...(alertname ? { alertname } : {}),
          articleIds,
        });
      } catch (err) {
        if (err instanceof z.ZodError) throw new UserError(`invalid note: ${err.issues.map((i) => i.message).join('; ')}`, { cause: err });
        throw err;
      }
    },
    async lastResolution(alert) {
      const found = await notes.latestFor(alert.fingerprint || undefined, alert.labels.alertname);
      if (!found) return undefined;
      const { note, via } = found;
      return { text: note.text, author: note.author, at: note.at, via };
    },
    notesFor: (articleId, limit) => notes.forArticle(articleId, limit),
    async exportNotes(articleId) {
      if (articleId === 'all') return allNotesMarkdown(articles, await notes.all());
      const article = byId.get(articleId);
      if (!article) throw new UserError(`no article "${articleId}"`);
      return articleNotesMarkdown(article, await notes.forArticle(articleId, 1000));
    },
  };
  return kb;
}

/** "last time: … (by …, date)", for alert messages. */
export function formatResolution(r: Resolution): string {
  return `last time: ${r.text} (by ${r.author}, ${r.at.slice(0, 10)})`;
}
