import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../alerts/model.ts';
import { createKnowledgeBase, type KnowledgeBase } from '../../../knowledge/knowledge-base.ts';
import { registerKnowledgeRoutes } from '../../../knowledge/routes.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`knowledge browser test skipped: ${CHROMIUM} not found (install it with: apt-get install -y chromium)`);

const oomAlert: Alert = {
  source: 'kubernetes',
  fingerprint: 'a1b2c3d4e5f60718',
  status: 'firing',
  severity: 'warning',
  labels: { alertname: 'KubeContainerOOMKilled', reason: 'OOMKilling', namespace: 'shop' },
  annotations: {},
  startsAt: '2026-11-26T10:00:00Z',
  subject: { namespace: 'shop', pod: 'cart-0' },
  links: {},
};

describe.skipIf(!hasChromium)(`knowledge pages in headless Chromium (${CHROMIUM})`, () => {
  let redis: Redis;
  let app: FastifyInstance;
  let browser: Browser;
  let links: KnowledgeBase;
  const keyPrefix = `test:kb:${randomUUID()}:`;

  beforeAll(async () => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 });
    const served = await createKnowledgeBase({ redis, keyPrefix });
    app = Fastify();
    registerKnowledgeRoutes(app, served);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    // The pipeline's instance: same articles and notes, links built from the public base URL.
    links = await createKnowledgeBase({ redis, keyPrefix, publicBaseUrl: `http://127.0.0.1:${port}` });
    await links.addNote({ ref: {}, alert: oomAlert, text: 'limit 1Gi → 2Gi, GOMEMLIMIT=1800MiB', author: 'alice' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('opens the alert knowledge link, shows the article and its note, then searches from the box', async () => {
    const [link] = links.linksFor(oomAlert);
    expect(link?.id).toBe('container-oom-killed');
    const page = await browser.newPage();
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') blocked.push(m.text());
    });
    const res = await page.goto(link!.url);
    expect(res?.status()).toBe(200);
    await expect.poll(() => page.locator('h1').textContent()).toContain('容器内存溢出');
    expect(await page.locator('article').getAttribute('lang')).toBe('zh');
    expect(await page.locator('#notes .note').first().textContent()).toContain('limit 1Gi → 2Gi, GOMEMLIMIT=1800MiB');
    // Browser-side expressions are strings: this project compiles without the DOM library.
    expect(await page.evaluate("getComputedStyle(document.querySelector('header')).borderBottomStyle")).toBe('solid');

    await page.locator('input[name=q]').fill('TIME_WAIT');
    await Promise.all([page.waitForURL(/\/kb\?q=TIME_WAIT/), page.locator('input[name=q]').press('Enter')]);
    const first = page.locator('#results li a').first();
    expect(await first.textContent()).toContain('TIME_WAIT');

    await page.locator('input[name=q]').fill('网络分区');
    await Promise.all([page.waitForURL(/\/kb\?q=/), page.getByRole('button', { name: 'Search' }).click()]);
    expect(await page.locator('#results li a').first().getAttribute('href')).toBe('/kb/node-notready-mass-eviction');
    await Promise.all([page.waitForURL(/\/kb\/node-notready-mass-eviction$/), page.locator('#results li a').first().click()]);
    expect(await page.locator('h1').textContent()).toContain('Node NotReady');
    expect(blocked).toEqual([]);
    await page.close();
  });

  it('fits a phone screen without sideways scrolling', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    for (const path of ['/kb', '/kb/tcp-connection-states', '/kb/container-oom-killed']) {
      await page.goto(new URL(path, links.urlFor('x')).toString());
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
    await page.close();
  });
});
