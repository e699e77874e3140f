import { describe, expect, it } from 'vitest';
import { internalLinkId, plainText, renderMarkdown } from '../../../knowledge/markdown.ts';
import { escapeHtml } from '../../../knowledge/pages.ts';

describe('markdown', () => {
  it('rewrites internal links and keeps external ones', () => {
    const html = renderMarkdown('[a](kb:node-disk-pressure) [b](https://kubernetes.io/docs/)');
    expect(html).toContain('<a href="/kb/node-disk-pressure">a</a>');
    expect(html).toContain('href="https://kubernetes.io/docs/" rel="noopener noreferrer"');
  });

  it('removes scripts, event handlers and javascript: links', () => {
    const html = renderMarkdown(
      '<script>alert(1)</script>\n\n<img src="x" onerror="alert(1)">\n\n[x](javascript:alert(1))\n\n<b onclick="x()">bold</b>',
    );
    expect(html).not.toMatch(/<script|onerror|onclick|javascript:/i);
    expect(html).toContain('<b>bold</b>');
  });

  it('reads internal link ids', () => {
    expect(internalLinkId('kb:abc-1')).toBe('abc-1');
    expect(internalLinkId('/kb/abc-1#fixes')).toBe('abc-1');
    expect(internalLinkId('https://example.com/kb/abc')).toBeUndefined();
  });

  it('turns markdown into plain text for the index', () => {
    expect(plainText('# Title\n\nSome **bold** `code` & [link](kb:x).\n\n- one\n- two')).toBe('Title\nSome bold code & link.\none\ntwo');
  });

  it('escapes HTML', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
