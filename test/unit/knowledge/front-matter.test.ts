import { describe, expect, it } from 'vitest';
import { splitFrontMatter } from '../../../knowledge/front-matter.ts';

describe('front matter', () => {
  it('splits the YAML block from the markdown, Chinese text included', () => {
    const file = splitFrontMatter('---\nid: oom\ntitle: 容器内存溢出\ntags: [oom, 内存]\n---\n\n## 现象\n');
    expect(file.data).toEqual({ id: 'oom', title: '容器内存溢出', tags: ['oom', '内存'] });
    expect(file.content).toBe('\n## 现象\n');
  });

  it('accepts CRLF line ends and a byte-order mark', () => {
    expect(splitFrontMatter('\uFEFF---\r\nid: a\r\n---\r\nBody')).toEqual({ data: { id: 'a' }, content: 'Body' });
  });

  it('answers no data for a file without front matter or with an empty block', () => {
    expect(splitFrontMatter('# Title\n---\nid: x\n')).toEqual({ data: {}, content: '# Title\n---\nid: x\n' });
    expect(splitFrontMatter('---\n---\nBody')).toEqual({ data: {}, content: 'Body' });
  });

  it('refuses an unterminated block, broken YAML, duplicate keys and non-mappings', () => {
    expect(() => splitFrontMatter('---\nid: a\nBody')).toThrow(/no closing --- line/);
    expect(() => splitFrontMatter('---\ntitle: [unclosed\n---\n')).toThrow();
    expect(() => splitFrontMatter('---\nid: a\nid: b\n---\n')).toThrow();
    expect(() => splitFrontMatter('---\n- a\n- b\n---\n')).toThrow(/not a mapping/);
  });
});
