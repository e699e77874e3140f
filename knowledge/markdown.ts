/**
 * Markdown helpers shared by the web pages, search and lint: internal `kb:` links, plain text for
 * indexing and snippets, and sanitised HTML.
 */
import { Marked, type Token } from 'marked';
import sanitizeHtml from 'sanitize-html';

const INTERNAL = /^(?:kb:|\/kb\/)([^/#?\s]+)\/?((?:[#?].*)?)$/;

/** The article id an internal link points to (`kb:other-id`, `/kb/other-id`), else undefined. */
export function internalLinkId(href: string): string | undefined {
  return INTERNAL.exec(href.trim())?.[1];
}

const plain = new Marked({ gfm: true });

/** Every link target in the markdown (code blocks and code spans excluded). */
export function linkTargets(markdown: string): string[] {
  const hrefs: string[] = [];
  void plain.walkTokens(plain.lexer(markdown), (token) => {
    if (token.type === 'link') hrefs.push(token.href);
  });
  return hrefs;
}

/**
 * What the article presents as firstmate chat commands: every code span and code-block line in
 * a section whose heading names firstmate, and every line of a code block tagged `firstmate`.
 * Each is returned as written (comments after `#` removed).
 */
export function presentedCommands(markdown: string): string[] {
  const out: string[] = [];
  let inSection = false;
  const collect = (tokens: Token[]) =>
    void plain.walkTokens(tokens, (t) => {
      if (t.type === 'codespan') out.push(t.text);
    });
  for (const t of plain.lexer(markdown)) {
    if (t.type === 'heading') {
      inSection = /firstmate/i.test(t.text);
      continue;
    }
    if (t.type === 'code' && (inSection || t.lang === 'firstmate')) {
      for (const line of t.text.split('\n')) out.push(line.replace(/\s+#.*$/, ''));
      continue;
    }
    if (inSection) collect([t]);
  }
  return out.map((c) => c.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').trim()).filter(Boolean);
}

/** The readable text of the markdown, for the search index and snippets. */
export function plainText(markdown: string): string {
  const parts: string[] = [];
  const visit = (tokens: Token[]) => {
    for (const t of tokens) {
      if (t.type === 'code') parts.push(t.text);
      else if (t.type === 'table') {
        for (const cell of t.header) {
          visit(cell.tokens);
          parts.push(' ');
        }
        for (const row of t.rows) {
          for (const cell of row) {
            visit(cell.tokens);
            parts.push(' ');
          }
          parts.push('\n');
        }
      } else if (t.type === 'list') {
        for (const item of t.items) {
          visit(item.tokens);
          parts.push('\n');
        }
      } else if ('tokens' in t && Array.isArray(t.tokens)) visit(t.tokens);
      else if ('text' in t && typeof t.text === 'string') parts.push(t.text);
      if (t.type === 'heading' || t.type === 'paragraph' || t.type === 'code' || t.type === 'list_item' || t.type === 'space')
        parts.push('\n');
    }
  };
  visit(plain.lexer(markdown));
  return parts
    .join('')
    .replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] ?? '')
    .replace(/[ \t]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
}

/**
 * The prose of the markdown: paragraphs, list items and quotes as sentences, without headings,
 * code blocks, tables or HTML, so a search snippet reads as text and never runs cells or
 * commands together.
 */
export function proseText(markdown: string): string {
  const parts: string[] = [];
  const visit = (tokens: Token[]) => {
    for (const t of tokens) {
      if (['code', 'table', 'html', 'hr', 'space', 'heading'].includes(t.type)) continue;
      if (t.type === 'list') {
        for (const item of t.items) visit(item.tokens);
      } else if ('tokens' in t && Array.isArray(t.tokens)) visit(t.tokens);
      else if ('text' in t && typeof t.text === 'string') parts.push(t.text);
      if (t.type === 'paragraph' || t.type === 'list_item' || t.type === 'text') parts.push(' ');
    }
  };
  visit(plain.lexer(markdown));
  return parts
    .join('')
    .replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

const html = new Marked({
  gfm: true,
  walkTokens(token) {
    if (token.type === 'link') {
      const m = INTERNAL.exec(token.href.trim());
      if (m?.[1]) token.href = `/kb/${encodeURIComponent(m[1])}${m[2] ?? ''}`;
    }
  },
});

/** The markdown as HTML safe to embed: scripts, event handlers and unsafe URLs are removed. */
export function renderMarkdown(markdown: string): string {
  const raw = html.parse(markdown, { async: false });
  return sanitizeHtml(raw, {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'del', 'input'],
    allowedAttributes: {
      a: ['href', 'title', 'rel'],
      img: ['src', 'alt', 'title'],
      code: ['class'],
      th: ['align'],
      td: ['align'],
      input: ['type', 'checked', 'disabled'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    transformTags: {
      a: (tagName, attribs) => ({
        tagName,
        attribs: /^https?:/.test(attribs.href ?? '') ? { ...attribs, rel: 'noopener noreferrer' } : attribs,
      }),
    },
    allowedSchemesAppliedToAttributes: ['href', 'src'],
  });
}
