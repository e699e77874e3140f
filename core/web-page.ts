/**
 * The look shared by firstmate's web pages (`/kb`, `/incidents`): plain server-rendered HTML with
 * inline CSS (light and dark), a header with the two sections and the knowledge-base search, and
 * escaping for every dynamic value.
 */
import type { FastifyReply } from 'fastify';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** Sends a self-contained page under a strict CSP; `noStore` for pages that show live state. */
export function sendPage(reply: FastifyReply, status: number, body: string, opts: { noStore?: boolean } = {}): FastifyReply {
  reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer');
  if (opts.noStore) reply.header('cache-control', 'no-store');
  return reply.send(body);
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * `text` escaped, with every case-insensitive occurrence of `terms` wrapped in `<mark>` (longest
 * terms first, so overlapping ones mark the longer match).
 */
export function highlight(text: string, terms: readonly string[]): string {
  const words = [...new Set(terms.map((t) => t.trim()).filter((t) => t.length > 0))].sort((a, b) => b.length - a.length);
  if (words.length === 0) return escapeHtml(text);
  const pattern = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'giu');
  let out = '';
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    out += `${escapeHtml(text.slice(last, m.index))}<mark>${escapeHtml(m[0])}</mark>`;
    last = m.index + m[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

const CSS = `
:root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#fff;--panel:#f6f8fa;--line:#d1d9e0;--accent:#0969da;--mark:#fff8c5;--crit:#cf222e;--warn:#9a6700;--info:#0969da;--ok:#1a7f37}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--panel:#151b23;--line:#3d444d;--accent:#4493f8;--mark:#5c4a00;--crit:#f85149;--warn:#d29922;--info:#4493f8;--ok:#3fb950}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.6 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:var(--fg);background:var(--bg)}
header{border-bottom:1px solid var(--line);background:var(--panel)}
.bar{max-width:60rem;margin:0 auto;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between}
nav{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
.brand{font-weight:600;color:var(--fg);text-decoration:none}
nav a[aria-current=page]{font-weight:600;text-decoration:underline}
form.search{display:flex;gap:.5rem;flex:1 1 16rem;max-width:28rem}
input,select,textarea{font:inherit;padding:.4rem .55rem;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg);min-width:0}
input[type=search]{flex:1}
button{padding:.4rem .9rem;font:inherit;border:1px solid var(--line);border-radius:6px;background:var(--accent);color:#fff;cursor:pointer}
button.secondary{background:var(--panel);color:var(--fg)}
main{max-width:60rem;margin:0 auto;padding:1rem 1rem 3rem;overflow-wrap:break-word}
a{color:var(--accent)}
mark{background:var(--mark);color:inherit;border-radius:3px;padding:0 .1em}
h1{font-size:1.7rem;line-height:1.3;margin:.5rem 0}
h2{font-size:1.3rem;margin-top:2rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
.muted,.meta{color:var(--muted)}
.summary{font-size:1.05rem}
.tags{display:flex;flex-wrap:wrap;gap:.35rem;padding:0;list-style:none;margin:.5rem 0}
.tags li a,.tags li span{display:inline-block;font-size:.8rem;padding:.05rem .5rem;border:1px solid var(--line);border-radius:999px;background:var(--panel);text-decoration:none}
ul.list{list-style:none;padding:0}
ul.list>li{padding:.75rem 0;border-bottom:1px solid var(--line)}
ul.list>li>a{font-weight:600;font-size:1.05rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .9rem;margin:.75rem 0;font-size:.95rem}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;min-width:0}
pre{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:.75rem;overflow-x:auto;font-size:.875rem;line-height:1.45}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
:not(pre)>code{background:var(--panel);padding:.1em .3em;border-radius:4px;overflow-wrap:anywhere}
table{border-collapse:collapse;display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid var(--line);padding:.35rem .6rem;text-align:left;vertical-align:top}
blockquote{margin:0;padding:0 1rem;border-left:4px solid var(--line);color:var(--muted)}
.note{border:1px solid var(--line);border-radius:6px;padding:.6rem .8rem;margin:.6rem 0;background:var(--panel)}
.note p{margin:.3rem 0 0;white-space:pre-wrap;overflow-wrap:anywhere}
.card{border:1px solid var(--line);border-radius:8px;padding:.7rem .9rem;margin:.7rem 0;background:var(--panel)}
.card h3{margin:0 0 .3rem;font-size:1.05rem}
.badge{display:inline-block;font-size:.78rem;font-weight:600;padding:0 .5rem;border-radius:999px;border:1px solid currentColor}
.critical,.failed{color:var(--crit)}.warning,.pending,.retrying{color:var(--warn)}.info{color:var(--info)}.ok,.delivered,.active{color:var(--ok)}.expired{color:var(--muted)}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
form.stack{display:grid;gap:.5rem;max-width:36rem}
form.stack label{display:grid;gap:.2rem;font-size:.9rem}
form.inline{display:inline}
@media (max-width:40rem){table.stack,table.stack tbody,table.stack tr,table.stack td{display:block}table.stack thead{display:none}table.stack tr{border:1px solid var(--line);border-radius:6px;margin:.5rem 0;padding:.3rem .5rem}table.stack td{border:none;padding:.1rem 0}table.stack td[data-label]::before{content:attr(data-label) ": ";color:var(--muted)}}
.notice{border-left:4px solid var(--accent);padding:.4rem .8rem;background:var(--panel)}
.error{border-left-color:var(--crit)}
img{max-width:100%}
`;

/** The two sections of the site. */
export type Section = 'kb' | 'incidents';

export interface PageOptions {
  title: string;
  query?: string;
  /** Language of the page's main content; the chrome is English. */
  lang?: string;
  /** The section the page belongs to, marked in the navigation. */
  section?: Section;
}

export function layout(content: string, options: PageOptions): string {
  const section = options.section ?? 'kb';
  const current = (s: Section) => (s === section ? ' aria-current="page"' : '');
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
<nav><a class="brand" href="/kb">firstmate</a><a href="/kb"${current('kb')}>Knowledge base</a><a href="/incidents"${current('incidents')}>Incidents</a></nav>
<form class="search" role="search" action="/kb" method="get">
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
