import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKnowledgeBase, type KnowledgeBase } from '../../../knowledge/knowledge-base.ts';
import { registerKnowledgeRoutes } from '../../../knowledge/routes.ts';

describe('knowledge web pages', () => {
  let redis: Redis;
  let app: FastifyInstance;
  let kb: KnowledgeBase;
  const keyPrefix = `test:kb:${randomUUID()}:`;

  beforeAll(async () => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 });
    kb = await createKnowledgeBase({ redis, keyPrefix, dirs: [path.resolve('test/fixtures/knowledge/valid')] });
    app = Fastify();
    registerKnowledgeRoutes(app, kb);
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('lists every article with a search box', async () => {
    const res = await app.inject('/kb');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.body).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(res.body).toContain('<input type="search" name="q"');
    expect(res.body.match(/<li lang="(en|zh)"><a href="\/kb\//g)).toHaveLength(kb.articles.length);
    expect(res.body).toContain('<li lang="zh"><a href="/kb/container-oom-killed">');
  });

  it('shows ranked results for ?q=, escaping the query', async () => {
    const res = await app.inject({ url: '/kb', query: { q: '内存溢出 <script>' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('value="内存溢出 &lt;script&gt;"');
    expect(res.body).not.toContain('<script>');
    expect(res.body).toMatch(/<ul class="list" id="results"><li lang="zh"><a href="\/kb\/container-oom-killed">/);
    const none = await app.inject({ url: '/kb?q=qwxzvbnm' });
    expect(none.body).toContain('id="no-results"');
  });

  it('renders an article with its language, internal links and notes', async () => {
    await kb.addNote({ ref: { articleId: 'oom-generic' }, text: 'raised <b>limit</b> & "fixed"', author: 'alice' });
    const res = await app.inject('/kb/oom-generic');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<article lang="en">');
    expect(res.body).toContain('<a href="/kb/oom-specific">the specific one</a>');
    expect(res.body).toContain('<a href="/kb/oom-specific#fixes">also</a>');
    expect(res.body).toContain('<p>raised &lt;b&gt;limit&lt;/b&gt; &amp; &quot;fixed&quot;</p>');
    expect(res.body).toContain('<code>alertname=/OOM/</code>');
    const zh = await app.inject('/kb/container-oom-killed');
    expect(zh.body).toContain('<article lang="zh">');
    expect(zh.body).toContain('<h2>现象 Symptoms</h2>');
  });

  it('answers 404 with a page and suggestions for an unknown id', async () => {
    const res = await app.inject('/kb/disk-pressure');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('No article “disk-pressure”');
    expect(res.body).toContain('href="/kb/node-disk-pressure"');
    const odd = await app.inject('/kb/%3Cimg%20src%3Dx%3E');
    expect(odd.statusCode).toBe(404);
    expect(odd.body).toContain('&lt;img src=x&gt;');
    expect(odd.body).not.toContain('<img src=x>');
  });
});
