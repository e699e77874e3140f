/**
 * The knowledge base on the web: `GET /kb` (all articles, or results for `?q=`) and `GET /kb/:id`
 * (one article with its notes). Pages are self-contained HTML under a strict CSP.
 */
import type { FastifyInstance } from 'fastify';
import type { KnowledgeBase } from './knowledge-base.ts';
import type { Note } from './notes.ts';
import { sendPage } from '../core/web-page.ts';
import { articlePage, indexPage, notFoundPage, resultsPage, type ArticlePageOptions } from './pages.ts';

function firstString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return '';
}

/** `GET /kb?tag=` lists the articles with that tag; article pages show facts as `pages` says. */
export function registerKnowledgeRoutes(app: FastifyInstance, kb: KnowledgeBase, pages: Omit<ArticlePageOptions, 'now'> = {}): void {
  app.get('/kb', async (request, reply) => {
    const query = request.query as Record<string, unknown> | undefined;
    const q = firstString(query?.q).trim().slice(0, 200);
    const tag = firstString(query?.tag).trim().slice(0, 60);
    if (q === '') return sendPage(reply, 200, indexPage(kb.articles, tag || undefined));
    return sendPage(reply, 200, resultsPage(q, kb.search(q, 20), kb.get));
  });

  app.get('/kb/:id', async (request, reply) => {
    const id = firstString((request.params as Record<string, unknown>).id).slice(0, 100);
    const article = kb.get(id);
    if (!article) return sendPage(reply, 404, notFoundPage(id, kb.search(id.replace(/[-_]+/g, ' '), 5)));
    let notes: Note[] | undefined;
    try {
      notes = await kb.notesFor(id, 50);
    } catch (err) {
      request.log.warn({ err, id }, 'knowledge notes unavailable');
    }
    return sendPage(reply, 200, articlePage(article, notes, pages));
  });
}
