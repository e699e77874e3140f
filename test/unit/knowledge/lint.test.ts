import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblems, lintKnowledge } from '../../../knowledge/lint.ts';
import { BUILTIN_ARTICLES_DIR, loadArticles } from '../../../knowledge/load.ts';
import { handlers } from '../../../handlers/index.ts';

const fixtures = path.resolve('test/fixtures/knowledge');
const dir = (name: string) => path.join(fixtures, name);

describe('lintKnowledge', () => {
  it('finds nothing wrong with the shipped articles', async () => {
    const problems = await lintKnowledge([BUILTIN_ARTICLES_DIR]);
    expect(formatProblems(problems)).toBe('knowledge base: no problems');
    const { articles } = await loadArticles([BUILTIN_ARTICLES_DIR]);
    expect(articles.length).toBeGreaterThanOrEqual(10);
    expect(articles.filter((a) => a.lang === 'zh').length).toBeGreaterThanOrEqual(4);
  });

  it('finds every command the shipped articles present among the registered commands', async () => {
    const problems = await lintKnowledge([BUILTIN_ARTICLES_DIR], { commands: handlers.map((h) => h.name) });
    expect(formatProblems(problems)).toBe('knowledge base: no problems');
  });

  it('reports what an article presents as a firstmate command when no such command is registered', async () => {
    const problems = await lintKnowledge([dir('unknown-command')], { commands: handlers.map((h) => h.name) });
    expect(problems.map((p) => [p.kind, p.message])).toEqual([
      ['unknown-command', '`reboot-node <node>` is presented as a firstmate command, but `reboot-node` is not one'],
      ['unknown-command', '`restart-kubelet <node>` is presented as a firstmate command, but `restart-kubelet` is not one'],
    ]);
    expect(await lintKnowledge([dir('unknown-command')])).toEqual([]);
  });

  it('accepts the valid fixtures', async () => {
    expect(await lintKnowledge([dir('valid')])).toEqual([]);
  });

  it('reports bad front matter with the path and the field', async () => {
    const problems = await lintKnowledge([dir('bad-front-matter')]);
    const missing = problems.filter((p) => p.path.endsWith('missing-title.md'));
    expect(missing.every((p) => p.kind === 'front-matter')).toBe(true);
    expect(missing.map((p) => p.message.split(':')[0]).sort()).toEqual(['id', 'tags', 'title']);
    const bare = problems.filter((p) => p.path.endsWith('no-front-matter.md'));
    expect(bare).toHaveLength(1);
    expect(bare[0]?.message).toMatch(/no front matter/);
  });

  it('reports unreadable YAML', async () => {
    const problems = await lintKnowledge([dir('unreadable-yaml')]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'front-matter', path: path.join(dir('unreadable-yaml'), 'broken.md') });
    expect(problems[0]?.message).toMatch(/unreadable front matter/);
  });

  it('reports duplicate ids, also across folders', async () => {
    const problems = await lintKnowledge([dir('duplicate-id')]);
    expect(problems).toEqual([
      expect.objectContaining({ kind: 'duplicate-id', id: 'same-id', path: path.join(dir('duplicate-id'), 'b.md') }),
    ]);
    const across = await lintKnowledge([dir('valid'), dir('valid')]);
    expect(across.filter((p) => p.kind === 'duplicate-id')).toHaveLength(4);
  });

  it('reports dead internal links in both forms, not external links or code', async () => {
    const problems = await lintKnowledge([dir('dead-link')]);
    expect(problems.map((p) => p.kind)).toEqual(['dead-link', 'dead-link']);
    expect(problems.map((p) => p.message).join('\n')).toMatch(/kb:does-not-exist[\s\S]*\/kb\/nor-this-one/);
  });

  it('resolves links against every folder', async () => {
    const problems = await lintKnowledge([dir('dead-link'), dir('valid')]);
    expect(problems.filter((p) => p.kind === 'dead-link')).toHaveLength(2);
  });

  it('reports invalid regular expressions and flags', async () => {
    const problems = await lintKnowledge([dir('invalid-regex')]);
    expect(problems.map((p) => p.kind)).toEqual(['rule', 'rule']);
    expect(problems[0]?.message).toMatch(/^match\[0\]: alertname: invalid regex/);
    expect(problems[1]?.message).toMatch(/^match\[1\]: reason: invalid regex flags "g"/);
  });

  it('reports empty lists', async () => {
    const problems = await lintKnowledge([dir('empty-list')]);
    expect(problems).toEqual([
      expect.objectContaining({ kind: 'rule', id: 'empty-list', message: 'match[0]: alertname: empty list: it can never match' }),
    ]);
  });

  it('reports contradicting conditions and impossible severities, not compatible ones', async () => {
    const problems = await lintKnowledge([dir('contradicting-rules')]);
    expect(problems.map((p) => p.message.slice(0, 8))).toEqual(['match[0]', 'match[1]', 'match[2]']);
    expect(problems[0]?.message).toMatch(/alertname=KubePodEvicted and labels.alertname=KubeNodeNotReady/);
    expect(problems[1]?.message).toMatch(/reason=OOMKilled and labels.reason=\/\^Evicted\$\//);
    expect(problems[2]?.message).toMatch(/critical, warning or info/);
  });

  it('reports rules without conditions', async () => {
    const problems = await lintKnowledge([dir('empty-rule')]);
    expect(problems).toEqual([expect.objectContaining({ kind: 'rule', message: 'match[0]: rule has no conditions, so it never matches' })]);
  });

  it('reports a folder that does not exist', async () => {
    const problems = await lintKnowledge([dir('no-such-folder')]);
    expect(problems).toEqual([expect.objectContaining({ kind: 'read' })]);
  });

  it('formats one line per problem and a count', async () => {
    const problems = await lintKnowledge([dir('duplicate-id'), dir('empty-list')]);
    const text = formatProblems(problems).split('\n');
    expect(text).toHaveLength(3);
    expect(text[0]).toBe(
      `${path.join(dir('duplicate-id'), 'b.md')}: [duplicate-id] same-id: duplicate id "same-id", already used by ${path.join(dir('duplicate-id'), 'a.md')}`,
    );
    expect(text[2]).toBe('2 problems in 2 files');
  });
});
