import { beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_ARTICLES_DIR, loadArticles } from '../../../knowledge/load.ts';
import { createSearchIndex, type SearchIndex } from '../../../knowledge/search.ts';
import { tokenizeDocument, tokenizeQuery } from '../../../knowledge/tokenize.ts';

describe('tokenizers', () => {
  it('segments Chinese into words for queries and keeps identifiers whole', () => {
    expect(tokenizeQuery('容器内存溢出怎么办')).toEqual(['容器', '内存', '溢出']);
    expect(tokenizeQuery('TIME_WAIT 10.0.3.17 kube-proxy')).toEqual(['time_wait', 'time', 'wait', '10.0.3.17', 'kube', 'proxy']);
  });

  it('indexes every CJK bigram so any query segmentation is found', () => {
    const doc = new Set(tokenizeDocument('网络分区导致节点NotReady'));
    for (const t of tokenizeQuery('网络分区')) expect(doc.has(t)).toBe(true);
    expect(doc.has('notready')).toBe(true);
  });
});

describe('search over the shipped articles', () => {
  let index: SearchIndex;
  beforeAll(async () => {
    index = createSearchIndex((await loadArticles([BUILTIN_ARTICLES_DIR])).articles);
  });
  const top = (q: string) => index.search(q, 3)[0]?.id;

  it('finds articles in Chinese', () => {
    expect(top('内存溢出')).toBe('container-oom-killed');
    expect(top('容器内存溢出怎么办')).toBe('container-oom-killed');
    expect(top('网络分区')).toBe('node-notready-mass-eviction');
    expect(top('重传')).toBe('tcp-retransmission-high');
    expect(top('按IP删除实例')).toBe('statefulset-delete-instance-by-ip');
    expect(top('固定IP')).toBe('pod-migration-ip-retention');
  });

  it('finds articles in English, with identifiers, prefixes and typos', () => {
    expect(top('TIME_WAIT')).toBe('tcp-connection-states');
    expect(top('close_wait')).toBe('tcp-connection-states');
    expect(top('thin pool')).toBe('devicemapper-pool-full');
    expect(top('retrans')).toBe('tcp-retransmission-high');
    expect(top('CrashLoop')).toBe('pod-crash-looping');
    expect(top('sentry error spike')).toBe('sentry-error-spike');
    expect(top('ephemeral storge')).toBe('node-disk-pressure');
  });

  it('returns id, title, summary, a score and a snippet around the match', () => {
    const [hit] = index.search('CLOSE_WAIT', 1);
    expect(hit).toMatchObject({ id: 'tcp-connection-states', title: expect.stringContaining('TIME_WAIT') });
    expect(hit?.score).toBeGreaterThan(0);
    expect(hit?.snippet.toLowerCase()).toContain('close_wait');
    expect(hit?.snippet.length).toBeLessThanOrEqual(170);
  });

  it('ranks by relevance and respects the limit', () => {
    const hits = index.search('eviction', 10);
    expect(hits.length).toBeGreaterThan(1);
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
    expect(index.search('eviction', 2)).toHaveLength(2);
  });

  it('falls back to any term when no article has all of them', () => {
    expect(top('retransmission zzzqqq')).toBe('tcp-retransmission-high');
  });

  it('returns nothing for empty or unknown queries', () => {
    expect(index.search('   ', 5)).toEqual([]);
    expect(index.search('qwxzvbnm', 5)).toEqual([]);
    expect(index.search('内存', 0)).toEqual([]);
  });
});
