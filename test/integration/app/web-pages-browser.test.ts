import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../app/app.ts';
import { createTestDeps } from '../../helpers/deps.ts';
import { waitFor } from '../../helpers/wait.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`web pages browser test skipped: ${CHROMIUM} not found (install it with: apt-get install -y chromium)`);

/** Where the screenshots for reviewers go (gitignored; CI keeps them as artefacts). */
const SHOTS = path.resolve('test-artifacts/screenshots');
const TOKEN = 'page-token-0123456789';

describe.skipIf(!hasChromium)(`incidents and knowledge pages in headless Chromium (${CHROMIUM})`, () => {
  let deps: Awaited<ReturnType<typeof createTestDeps>>;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    deps = await createTestDeps({
      alerts: {
        apiTokens: [{ name: 'page-user', token: TOKEN }],
        route: {
          receiver: 'console',
          group_wait: '100ms',
          group_interval: '300ms',
          repeat_interval: '1h',
          group_by: ['alertname', 'namespace'],
        },
        workers: { sampleEvery: '0', lockDuration: '2s', stalledInterval: '1s' },
      },
      knowledge: { editBaseUrl: 'https://git.example.com/ops/firstmate/-/edit/main/knowledge/articles' },
      display: { timeZone: 'Asia/Shanghai' },
    });
    const app = createApp(deps);
    await deps.lifecycle.start();
    base = `http://127.0.0.1:${app.http.port()}`;
    const alerts = [
      ...[0, 1, 2].map((i) => ({
        title: 'KubePodCrashLooping',
        severity: 'warning',
        labels: { namespace: 'shop', pod: `cart-${i}`, node: 'node-2', job: 'kube-state-metrics', instance: '10.244.1.5:8080' },
        annotations: { summary: 'Pod is crash looping.', runbook_url: 'https://runbooks.example.com/KubePodCrashLooping' },
      })),
      {
        title: 'NodeDiskFull',
        severity: 'critical',
        labels: { namespace: 'db', node: 'node-7' },
        message: '节点 node-7 磁盘空间不足，剩余 3%',
        link_to_upstream_details: 'https://grafana.example.com/d/disk',
      },
    ];
    const res = await fetch(`${base}/webhooks/generic`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(res.status).toBe(202);
    const open = await waitFor(async () => {
      const list = await deps.alerts.incidents.open();
      return list.length === 2 && list.every((i) => i.last) ? list : undefined;
    }, 'two notified incidents');
    await waitFor(async () => (await deps.alerts.incidents.deliveries(open[0]!.last!.firing[0]!.fingerprint)).length > 0, 'a delivery');
    const disk = open.find((i) => i.groupLabels.alertname === 'NodeDiskFull')!;
    await deps.alerts.incidents.ack(disk.ref, 'alice');
    await app.router!.handle({ platform: 'console', userId: 'console', channelId: 'console' }, 'alerts');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await deps?.stop();
  });

  const open = async (options: BrowserContextOptions = {}): Promise<{ page: Page; errors: string[]; done(): Promise<void> }> => {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text() + ' @ ' + m.location().url);
    });
    return { page, errors, done: () => context.close() };
  };
  const overflow = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  it('asks for the API token, then shows open incidents with status, age, ack, receiver and links', async () => {
    const { page, errors, done } = await open({ viewport: { width: 1280, height: 900 } });
    expect((await page.goto(`${base}/incidents`))?.status()).toBe(401);
    expect((await page.goto(`${base}/incidents?token=wrong-token-0000`))?.status()).toBe(401);
    errors.length = 0; // the refusals above are logged as failed loads
    expect((await page.goto(`${base}/incidents?token=${TOKEN}`))?.status()).toBe(200);
    const cards = page.locator('#incidents .card');
    expect(await cards.count()).toBe(2);
    const crash = page.locator('.card', { hasText: 'KubePodCrashLooping' });
    expect(await crash.locator('.badge').textContent()).toBe('firing 3');
    expect(await crash.textContent()).toMatch(/Opened\s*(just now|\d+ s ago) \(\d\d:\d\d GMT\+8\)/);
    expect(await crash.textContent()).toContain('not acked');
    expect(await crash.textContent()).toMatch(/Receiver\s*console/);
    // The subject is the pod, not kube-state-metrics' own address.
    expect(await crash.textContent()).toContain('shop/cart-0 on node-2');
    expect(await crash.textContent()).not.toContain('10.244.1.5');
    expect(await crash.getByRole('link', { name: 'runbook' }).getAttribute('href')).toBe(
      'https://runbooks.example.com/KubePodCrashLooping',
    );
    const disk = page.locator('.card', { hasText: 'NodeDiskFull' });
    expect(await disk.textContent()).toContain('acked by alice');
    expect(await disk.textContent()).toContain('节点 node-7 磁盘空间不足');
    expect(await disk.getByRole('link', { name: 'source' }).getAttribute('href')).toBe('https://grafana.example.com/d/disk');
    expect(await page.locator('#notifications').textContent()).toMatch(/delivered/);
    expect(await page.locator('#audit').textContent()).toContain('alerts');
    await shot(page, 'incidents-desktop');
    expect(errors).toEqual([]);
    await done();
  });

  it('previews what a silence would mute now, creates it, and expires it', async () => {
    const { page, done } = await open({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/incidents?token=${TOKEN}`);
    await page.locator('input[name=matchers]').fill('alertname=KubePodCrashLooping namespace=shop');
    await page.locator('input[name=duration]').fill('1h');
    await page.locator('input[name=comment]').fill('维护 maintenance');
    await Promise.all([page.waitForURL(/matchers=/), page.getByRole('button', { name: 'Preview' }).click()]);
    expect(await page.locator('#preview').textContent()).toContain('It would mute 3 alerts firing now, for 1h');
    expect(await page.locator('#preview li').count()).toBe(3);
    await shot(page, 'incidents-silence-preview');
    await Promise.all([page.waitForURL(/created=/), page.getByRole('button', { name: 'Create silence as page-user' }).click()]);
    expect(await page.locator('#notice').textContent()).toMatch(/Silence [0-9a-f]{8} created/);
    const row = page.locator('#silences tr', { hasText: 'alertname="KubePodCrashLooping"' });
    expect(await row.textContent()).toContain('active');
    expect(await row.textContent()).toContain('维护 maintenance');
    expect((await deps.alerts.silences.list())[0]?.createdBy).toBe('page-user');
    await Promise.all([page.waitForURL(/expired=/), row.getByRole('button', { name: 'Expire' }).click()]);
    expect(await page.locator('#silences tr', { hasText: 'alertname="KubePodCrashLooping"' }).textContent()).toContain('expired');

    await page.goto(`${base}/incidents?token=${TOKEN}&matchers=${encodeURIComponent('alertname~oops')}&duration=2h`);
    expect(await page.locator('#preview').textContent()).toContain('invalid matcher "alertname~oops"');
    await done();
  });

  it('fits a phone in dark mode without sideways scrolling, in English and Chinese, and saves screenshots', async () => {
    const { page, errors, done } = await open({ viewport: { width: 360, height: 740 }, colorScheme: 'dark' });
    const pages: Array<[string, string]> = [
      ['incidents', `/incidents?token=${TOKEN}`],
      ['kb-index', '/kb'],
      ['kb-search', `/kb?q=${encodeURIComponent('TIME_WAIT')}`],
      ['kb-search-zh', `/kb?q=${encodeURIComponent('内存溢出')}`],
      ['kb-article-zh', '/kb/container-oom-killed'],
      ['kb-article-en', '/kb/tcp-connection-states'],
    ];
    for (const [name, url] of pages) {
      expect((await page.goto(base + url))?.status(), url).toBe(200);
      expect(await overflow(page), url).toBeLessThanOrEqual(0);
      expect(await page.evaluate<string>('getComputedStyle(document.body).backgroundColor'), url).toBe('rgb(13, 17, 23)');
      await shot(page, `${name}-360-dark`);
    }
    expect(errors).toEqual([]);
    await done();
  });

  it('highlights search matches, shows article facts with an edit link, and tags that open their list', async () => {
    const { page, done } = await open({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/kb?q=TIME_WAIT`);
    expect(await page.locator('#results li').first().locator('mark').first().textContent()).toBe('TIME_WAIT');
    expect(await page.locator('#results .snippet').first().textContent()).not.toContain('```');
    await shot(page, 'kb-search-desktop');
    await page.goto(`${base}/kb/tcp-connection-states`);
    expect(await page.locator('dl.facts').textContent()).toMatch(/Owner\s*platform-team\s*Severity\s*warning\s*Last updated\s*\d+ d.* ago/);
    expect(await page.locator('#edit').getAttribute('href')).toBe(
      'https://git.example.com/ops/firstmate/-/edit/main/knowledge/articles/tcp-connection-states.md',
    );
    await shot(page, 'kb-article-desktop');
    await Promise.all([page.waitForURL(/\/kb\?tag=TIME_WAIT$/), page.locator('article .tags a', { hasText: 'TIME_WAIT' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('Tagged “TIME_WAIT”');
    expect(await page.locator('#articles li a', { hasText: 'TCP connections piling up' }).count()).toBe(1);
    await page.goto(`${base}/kb`);
    await shot(page, 'kb-index-desktop');
    await done();
  });
});
