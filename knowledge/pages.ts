/**
 * HTML for the knowledge-base web pages: plain server-rendered pages with inline CSS, every
 * dynamic value escaped, article bodies rendered from markdown and sanitised.
 */
import type { Note } from './notes.ts';
import type { Article, MatchRule } from './schema.ts';
import type { SearchHit } from './search.ts';
import { renderMarkdown } from './markdown.ts';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const CSS = `
:root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#fff;--panel:#f6f8fa;--line:#d1d9e0;--accent:#0969da}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--panel:#151b23;--line:#3d444d;--accent:#4493f8}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.6 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:var(--fg);background:var(--bg)}
header{border-bottom:1px solid var(--line);background:var(--panel)}
.bar{max-width:54rem;margin:0 auto;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;justify-content:space-between}
.brand{font-weight:600;color:var(--fg);text-decoration:none}
form{display:flex;gap:.5rem;flex:1 1 18rem;max-width:28rem}
input[type=search]{flex:1;min-width:0;padding:.45rem .6rem;font:inherit;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
button{padding:.45rem .9rem;font:inherit;border:1px solid var(--line);border-radius:6px;background:var(--accent);color:#fff;cursor:pointer}
main{max-width:54rem;margin:0 auto;padding:1rem 1rem 3rem;overflow-wrap:break-word}
a{color:var(--accent)}
h1{font-size:1.7rem;line-height:1.3;margin:.5rem 0}
h2{font-size:1.3rem;margin-top:2rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
.muted,.meta{color:var(--muted)}
.summary{font-size:1.05rem}
.tags{display:flex;flex-wrap:wrap;gap:.35rem;padding:0;list-style:none;margin:.5rem 0}
.tags li{font-size:.8rem;padding:.05rem .5rem;border:1px solid var(--line);border-radius:999px;background:var(--panel)}
ul.list{list-style:none;padding:0}
ul.list>li{padding:.75rem 0;border-bottom:1px solid var(--line)}
ul.list>li>a{font-weight:600;font-size:1.05rem}
pre{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:.75rem;overflow-x:auto;font-size:.875rem;line-height:1.45}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
:not(pre)>code{background:var(--panel);padding:.1em .3em;border-radius:4px;overflow-wrap:anywhere}
table{border-collapse:collapse;display:block;overflow-x:auto}
th,td{border:1px solid var(--line);padding:.35rem .6rem;text-align:left}
blockquote{margin:0;padding:0 1rem;border-left:4px solid var(--line);color:var(--muted)}
.note{border:1px solid var(--line);border-radius:6px;padding:.6rem .8rem;margin:.6rem 0;background:var(--panel)}
.note p{margin:.3rem 0 0;white-space:pre-wrap;overflow-wrap:anywhere}
img{max-width:100%}
`;

export interface PageOptions {
  title: string;
  query?: string;
  /** Language of the page's main content; the chrome is English. */
  lang?: string;
}

export function layout(content: string, options: PageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(options.title)} · firstmate</title>
<style>${CSS}</style>
</head>
<body>
<header><div class="bar">
<a class="brand" href="/kb">firstmate knowledge base</a>
<form role="search" action="/kb" method="get">
<input type="search" name="q" value="${escapeHtml(options.query ?? '')}" placeholder="Search runbooks · 搜索" aria-label="Search the knowledge base">
<button type="submit">Search</button>
</form>
</div></header>
<main${options.lang ? ` lang="${escapeHtml(options.lang)}"` : ''}>
${content}
</main>
</body>
</html>
`;
}

function langAttr(article: Pick<Article, 'lang'>): string {
  return article.lang === 'zh' ? ' lang="zh"' : ' lang="en"';
}

function tagList(tags: readonly string[]): string {
  return tags.length === 0 ? '' : `<ul class="tags">${tags.map((t) => `<li>${escapeHtml(t)}</li>`).join('')}</ul>`;
}

export function indexPage(articles: readonly Article[]): string {
  const items = [...articles]
    .sort((a, b) => a.title.localeCompare(b.title))
    .map(
      (a) =>
        `<li${langAttr(a)}><a href="/kb/${encodeURIComponent(a.id)}">${escapeHtml(a.title)}</a><div>${escapeHtml(a.summary)}</div>${tagList(a.tags)}</li>`,
    );
  return layout(
    `<h1>Runbooks</h1>
<p class="muted">${articles.length} article${articles.length === 1 ? '' : 's'}. Every alert links the ones that match it.</p>
<ul class="list" id="articles">${items.join('\n')}</ul>`,
    { title: 'Knowledge base' },
  );
}

export function resultsPage(query: string, hits: readonly SearchHit[], byId: (id: string) => Article | undefined): string {
  const items = hits.map((h) => {
    const a = byId(h.id);
    return `<li${a ? langAttr(a) : ''}><a href="/kb/${encodeURIComponent(h.id)}">${escapeHtml(h.title)}</a><div>${escapeHtml(h.summary)}</div><div class="meta">${escapeHtml(h.snippet)}</div></li>`;
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

function notesSection(notes: readonly Note[] | undefined): string {
  if (notes === undefined)
    return '<section id="notes"><h2>Notes from past incidents</h2><p class="muted">Notes are unavailable right now.</p></section>';
  const items = notes.map(
    (n) =>
      `<div class="note"><div class="meta">${escapeHtml(n.author)} · <time datetime="${escapeHtml(n.at)}">${escapeHtml(n.at.slice(0, 16).replace('T', ' '))} UTC</time>${n.alertname ? ` · <code>${escapeHtml(n.alertname)}</code>` : ''}</div><p>${escapeHtml(n.text)}</p></div>`,
  );
  return `<section id="notes"><h2>Notes from past incidents</h2>${items.length ? items.join('\n') : '<p class="muted">No notes yet. Add one from chat: <code>kb note &lt;fingerprint|alertname|article&gt; &lt;what fixed it&gt;</code></p>'}</section>`;
}

export function articlePage(article: Article, notes: readonly Note[] | undefined): string {
  const rules = article.match.map((r) => `<li><code>${escapeHtml(ruleText(r))}</code></li>`).join('');
  return layout(
    `<article${langAttr(article)}>
<h1>${escapeHtml(article.title)}</h1>
<p class="summary">${escapeHtml(article.summary)}</p>
${tagList(article.tags)}
<div class="body">${renderMarkdown(article.body)}</div>
${rules ? `<h2 lang="en">Linked from alerts</h2><ul>${rules}</ul>` : ''}
</article>
${notesSection(notes)}`,
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
