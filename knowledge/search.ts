/**
 * Ranked full-text search over the articles' title, tags, summary and body (MiniSearch, BM25),
 * for Chinese and English. All query terms must match when possible; otherwise any term does.
 * Latin terms also match by prefix and, when long enough, with small typos.
 */
import MiniSearch, { type SearchOptions, type SearchResult } from 'minisearch';
import { plainText, proseText } from './markdown.ts';
import type { Article } from './schema.ts';
import { isHan, tokenizeDocument, tokenizeQuery } from './tokenize.ts';

/**
 * One search result. `snippet` is prose around the first matched term (never code or table
 * cells); `terms` are the words that matched, for highlighting.
 */
export interface SearchHit {
  id: string;
  title: string;
  summary: string;
  score: number;
  snippet: string;
  terms: string[];
}

export interface SearchIndex {
  search(query: string, limit?: number): SearchHit[];
}

interface Doc {
  id: string;
  title: string;
  tags: string;
  summary: string;
  body: string;
  /** The body's prose, for snippets. */
  prose: string;
}

const MAX_QUERY = 200;
const SNIPPET = 160;

/** Plain text around the whole query if the text has it, else around the longest matched term. */
function snippetOf(text: string, query: string, terms: string[], fallback: string): string {
  const flat = text.replace(/\s+/g, ' ');
  const lower = flat.toLowerCase();
  const candidates = [query.toLowerCase(), ...[...terms].sort((a, b) => b.length - a.length)];
  const at = candidates.map((t) => lower.indexOf(t)).find((p) => p >= 0);
  if (at === undefined) return fallback;
  let start = Math.max(0, at - 50);
  if (start > 0) {
    const space = flat.indexOf(' ', start);
    if (space >= 0 && space < at) start = space + 1;
  }
  const chars = [...flat.slice(start)];
  const cut = chars.slice(0, SNIPPET).join('');
  return `${start > 0 ? '…' : ''}${cut}${chars.length > SNIPPET ? '…' : ''}`;
}

export function createSearchIndex(articles: readonly Article[]): SearchIndex {
  const docs = new Map<string, Doc>();
  for (const a of articles) {
    docs.set(a.id, {
      id: a.id,
      title: a.title,
      tags: a.tags.join(' '),
      summary: a.summary,
      body: plainText(a.body),
      prose: proseText(a.body),
    });
  }
  const index = new MiniSearch<Doc>({
    fields: ['title', 'tags', 'summary', 'body'],
    tokenize: tokenizeDocument,
    processTerm: (term) => term || null,
    searchOptions: { tokenize: tokenizeQuery },
  });
  index.addAll([...docs.values()]);
  const options: SearchOptions = {
    boost: { title: 4, tags: 3, summary: 2, body: 1 },
    prefix: (term) => !isHan(term) && term.length >= 3,
    fuzzy: (term) => (!isHan(term) && term.length >= 5 ? 0.2 : false),
  };
  const toHit = (query: string, r: SearchResult): SearchHit => {
    const doc = docs.get(String(r.id));
    const title = doc?.title ?? '';
    const summary = doc?.summary ?? '';
    return {
      id: String(r.id),
      title,
      summary,
      score: Math.round(r.score * 1000) / 1000,
      snippet: snippetOf(doc?.prose ?? '', query, r.terms, summary),
      terms: [...new Set([...r.queryTerms, ...r.terms])].filter((t) => t.length > 0),
    };
  };
  return {
    search(query, limit = 10) {
      const q = query.slice(0, MAX_QUERY).trim();
      if (q === '' || limit <= 0) return [];
      let results = index.search(q, { ...options, combineWith: 'AND' });
      if (results.length === 0) results = index.search(q, { ...options, combineWith: 'OR' });
      return results.slice(0, limit).map((r) => toHit(q, r));
    },
  };
}
