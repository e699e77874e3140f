/**
 * HTML for the knowledge-base web pages: plain server-rendered pages in the shared look
 * (`core/web-page.ts`), every dynamic value escaped, article bodies rendered from markdown and
 * sanitised, search matches highlighted, tags linking to the articles that carry them.
 */
import { escapeHtml, highlight, layout } from '../core/web-page.ts';

export { escapeHtml } from '../core/web-page.ts';
import { humanTime } from '../core/time.ts';
import type { Note } from './notes.ts';
import type { Article, MatchRule } from './schema.ts';
import type { SearchHit } from './search.ts';
import { renderMarkdown } from './markdown.ts';

function langAttr(article: Pick<Article, 'lang'>): string {
  return article.lang === 'zh' ? ' lang="zh"' : ' lang="en"';
}

/** Tags as links to the articles that carry them. */
function tagList(tags: readonly string[], current?: string): string {
  if (tags.length === 0) return '';
  const item = (t: string) =>
    `<li><a href="/kb?tag=${encodeURIComponent(t)}"${t === current ? ' aria-current="true"' : ''}>${escapeHtml(t)}</a></li>`;
  return `<ul class="tags">${tags.map(item).join('')}</ul>`;
}

/** Every article, or those carrying `tag`. */
export function indexPage(articles: readonly Article[], tag?: string): string {
  const shown = tag ? articles.filter((a) => a.tags.includes(tag)) : articles;
  const items = [...shown]
    .sort((a, b) => a.title.localeCompare(b.title))
    .map(
      (a) =>
        `<li${langAttr(a)}><a href="/kb/${encodeURIComponent(a.id)}">${escapeHtml(a.title)}</a><div>${escapeHtml(a.summary)}</div>${tagList(a.tags, tag)}</li>`,
    );
  const count = `${shown.length} article${shown.length === 1 ? '' : 's'}`;
  return layout(
    tag
      ? `<h1>Tagged “${escapeHtml(tag)}”</h1>
<p class="muted">${count}. <a href="/kb">All articles</a></p>
<ul class="list" id="articles">${items.join('\n')}</ul>`
      : `<h1>Runbooks</h1>
<p class="muted">${count}. Every alert links the ones that match it.</p>
<ul class="list" id="articles">${items.join('\n')}</ul>`,
    { title: tag ? `${tag} – knowledge base` : 'Knowledge base' },
  );
}

export function resultsPage(query: string, hits: readonly SearchHit[], byId: (id: string) => Article | undefined): string {
  const items = hits.map((h) => {
    const a = byId(h.id);
    const terms = [query, ...h.terms];
    return `<li${a ? langAttr(a) : ''}><a href="/kb/${encodeURIComponent(h.id)}">${highlight(h.title, terms)}</a><div>${highlight(h.summary, terms)}</div><div class="meta snippet">${highlight(h.snippet, terms)}</div>${a ? tagList(a.tags) : ''}</li>`;
  });
  const head =
    hits.length === 0
      ? `<p id="no-results">Nothing found for “${escapeHtml(query)}”. Try fewer or other words.</p>`
      : `<p class="muted">${hits.length} result${hits.length === 1 ? '' : 's'} for “${escapeHtml(query)}”</p>`;
  return layout(`<h1>Search</h1>\n${head}\n<ul class="list" id="results">${items.join('\n')}</ul>`, { title: `${query} – search`, query });
}

function ruleText(rule: MatchRule): string {
  const show = (v: string | string[]) => (Array.isArray(v) ? v.join(' | ') : v);
  const parts: string[] = [];
  if (rule.alertname !== undefined) parts.push(`alertname=${show(rule.alertname)}`);
  if (rule.reason !== undefined) parts.push(`reason=${show(rule.reason)}`);
  if (rule.source !== undefined) parts.push(`source=${show(rule.source)}`);
  if (rule.severity !== undefined) parts.push(`severity=${show(rule.severity)}`);
  for (const [k, v] of Object.entries(rule.labels ?? {})) parts.push(`${k}=${show(v)}`);
  return parts.join(', ');
}

function notesSection(notes: readonly Note[] | undefined, timeOpts: ArticlePageOptions): string {
  if (notes === undefined)
    return '<section id="notes"><h2>Notes from past incidents</h2><p class="muted">Notes are unavailable right now.</p></section>';
  const items = notes.map(
    (n) =>
      `<div class="note"><div class="meta">${escapeHtml(n.author)} · <time datetime="${escapeHtml(n.at)}">${escapeHtml(humanTime(n.at, timeOpts))}</time>${n.alertname ? ` · <code>${escapeHtml(n.alertname)}</code>` : ''}</div><p>${escapeHtml(n.text)}</p></div>`,
  );
  return `<section id="notes"><h2>Notes from past incidents</h2>${items.length ? items.join('\n') : '<p class="muted">No notes yet. Add one from chat: <code>kb note &lt;fingerprint|alertname|article&gt; &lt;what fixed it&gt;</code></p>'}</section>`;
}

/** How article pages show facts: the edit link's base and the time zone of dates. */
export interface ArticlePageOptions {
  editBaseUrl?: string;
  timeZone?: string;
  now?: number;
}

function facts(article: Article, opts: ArticlePageOptions): string {
  const rows: Array<[string, string]> = [
    ['Owner', article.owner ? escapeHtml(article.owner) : '<span class="muted">nobody yet</span>'],
    ['Severity', article.severity ? `<span class="badge ${article.severity}">${article.severity}</span>` : '<span class="muted">-</span>'],
    [
      'Last updated',
      article.updatedAt
        ? `<time datetime="${escapeHtml(article.updatedAt)}">${escapeHtml(humanTime(article.updatedAt, opts))}</time>`
        : '<span class="muted">unknown</span>',
    ],
  ];
  if (opts.editBaseUrl) {
    const href = `${opts.editBaseUrl.replace(/\/+$/, '')}/${article.relPath.split('/').map(encodeURIComponent).join('/')}`;
    rows.push(['Source', `<a id="edit" href="${escapeHtml(href)}" rel="noopener noreferrer">edit ${escapeHtml(article.relPath)}</a>`]);
  }
  return `<dl class="facts" lang="en">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

export function articlePage(article: Article, notes: readonly Note[] | undefined, opts: ArticlePageOptions = {}): string {
  const rules = article.match.map((r) => `<li><code>${escapeHtml(ruleText(r))}</code></li>`).join('');
  return layout(
    `<article${langAttr(article)}>
<h1>${escapeHtml(article.title)}</h1>
<p class="summary">${escapeHtml(article.summary)}</p>
${tagList(article.tags)}
${facts(article, opts)}
<div class="body">${renderMarkdown(article.body)}</div>
${rules ? `<h2 lang="en">Linked from alerts</h2><ul>${rules}</ul>` : ''}
</article>
${notesSection(notes, opts)}`,
    { title: article.title },
  );
}

export function notFoundPage(id: string, suggestions: readonly SearchHit[]): string {
  const items = suggestions.map((h) => `<li><a href="/kb/${encodeURIComponent(h.id)}">${escapeHtml(h.title)}</a></li>`).join('');
  return layout(
    `<h1>No article “${escapeHtml(id)}”</h1>
<p>It may have been renamed. <a href="/kb">See all articles</a> or search above.</p>
${items ? `<h2>Perhaps</h2><ul>${items}</ul>` : ''}`,
    { title: 'Not found' },
  );
}
