import { beforeAll, describe, expect, it } from 'vitest';
import { highlight } from '../../../core/web-page.ts';
import { BUILTIN_ARTICLES_DIR, loadArticles } from '../../../knowledge/load.ts';
import { proseText } from '../../../knowledge/markdown.ts';
import { articlePage, indexPage, resultsPage } from '../../../knowledge/pages.ts';
import type { Article } from '../../../knowledge/schema.ts';
import { createSearchIndex } from '../../../knowledge/search.ts';

let articles: Article[];
beforeAll(async () => {
  articles = (await loadArticles([BUILTIN_ARTICLES_DIR])).articles;
});
const byId = (id: string) => articles.find((a) => a.id === id);

describe('knowledge pages', () => {
  it('highlights matched words, escaping everything else', () => {
    expect(highlight('TIME_WAIT <b> and time_wait', ['time_wait'])).toBe('<mark>TIME_WAIT</mark> &lt;b&gt; and <mark>time_wait</mark>');
    expect(highlight('容器内存溢出', ['内存', '内存溢出'])).toBe('容器<mark>内存溢出</mark>');
    expect(highlight('a.b', ['.'])).toBe('a<mark>.</mark>b');
  });

  it('snippets are prose: no code blocks or table cells run together', () => {
    const md =
      'Intro text.\n\n```\nkubectl get pods -A\n```\n\n| a | b |\n|---|---|\n| x1 | y1 |\n\n- first item\n- second `code` item\n\n## Heading\n\nClosing words.';
    expect(proseText(md)).toBe('Intro text. first item second code item Closing words.');
    const hits = createSearchIndex(articles).search('TIME_WAIT', 3);
    for (const h of hits) expect(h.snippet).not.toMatch(/```|\|\s*\||ss -tan|sysctl -w/);
    const html = resultsPage('TIME_WAIT', hits, byId);
    expect(html).toContain('<mark>TIME_WAIT</mark>');
    expect(html).toMatch(/<div class="meta snippet">[^<]*<mark>/);
  });

  it('shows owner, severity, last updated and an edit link, and links tags to their lists', () => {
    const a = byId('tcp-connection-states')!;
    const page = articlePage(a, [], {
      editBaseUrl: 'https://git.example.com/ops/runbooks/-/edit/main/',
      timeZone: 'UTC',
      now: Date.parse('2026-11-27T10:00:00Z'),
    });
    expect(page).toContain('<dt>Owner</dt><dd>platform-team</dd>');
    expect(page).toContain('<span class="badge warning">warning</span>');
    expect(page).toContain('7 d 10 h ago (Nov 20 00:00 UTC)');
    expect(page).toContain('href="https://git.example.com/ops/runbooks/-/edit/main/tcp-connection-states.md"');
    expect(page).toContain('<a href="/kb?tag=TIME_WAIT">TIME_WAIT</a>');
    expect(articlePage(a, [])).not.toContain('id="edit"');
    const tagged = indexPage(articles, 'TIME_WAIT');
    expect(tagged).toContain('Tagged “TIME_WAIT”');
    expect(tagged.match(/<li lang/g)).toHaveLength(articles.filter((x) => x.tags.includes('TIME_WAIT')).length);
  });
});
