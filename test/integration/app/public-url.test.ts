import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../app/app.ts';
import { configSchema, type ConfigInput } from '../../../app/config-schema.ts';
import { createDeps, type Deps } from '../../../app/deps.ts';
import { deletePrefix } from '../../../app/redis.ts';
import type { Alert } from '../../../alerts/model.ts';
import { createLogger } from '../../../core/logger.ts';
import { startFakeDingTalk, type FakeDingTalk } from '../../helpers/fake-dingtalk.ts';
import { testPrefix } from '../../helpers/deps.ts';

const oom: Alert = {
  source: 'kubernetes',
  fingerprint: 'a1b2c3d4e5f60718',
  status: 'firing',
  severity: 'warning',
  labels: { alertname: 'KubeContainerOOMKilled', reason: 'OOMKilling' },
  annotations: {},
  startsAt: '2026-11-26T10:00:00Z',
  subject: {},
  links: {},
};

let fake: FakeDingTalk;
let deps: Deps | undefined;
beforeAll(async () => {
  fake = await startFakeDingTalk();
});
afterAll(() => fake?.close());
afterEach(async () => {
  if (!deps) return;
  await deps.lifecycle.stop(5000);
  await deletePrefix(deps.redisEndpoint.url, deps.config.redis.prefix);
  deps = undefined;
});

/** Starts the app with DingTalk on and the given server settings; returns its warnings. */
async function start(server: ConfigInput['server']): Promise<{ deps: Deps; port: number; warnings: string[] }> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const config = configSchema.parse({
    server: { host: '127.0.0.1', port: 0, ...server },
    log: { level: 'warn' },
    kube: { mode: 'off' },
    redis: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: testPrefix('url') },
    chat: { dingtalk: { clientId: 'ding-app', clientSecret: 'app-secret', gatewayUrl: fake.gatewayUrl } },
  });
  deps = await createDeps(config, createLogger(config.log.level, sink));
  const app = createApp(deps);
  await deps.lifecycle.start();
  const warnings = lines.map((l) => JSON.parse(l) as { msg: string }).map((l) => l.msg);
  return { deps, port: app.http.port(), warnings };
}

describe('links to this instance', () => {
  it('point at the port the server really listens on, and a chat without server.publicUrl is warned about', async () => {
    const { deps, port, warnings } = await start({});
    expect(port).not.toBe(8080);
    const [link] = deps.knowledge.linksFor(oom);
    expect(link?.url).toBe(`http://localhost:${port}/kb/container-oom-killed`);
    expect((await fetch(link!.url.replace('localhost', '127.0.0.1'))).status).toBe(200);
    expect(warnings.filter((w) => w.includes('server.publicUrl is not set'))).toEqual([
      `chat is on but server.publicUrl is not set: links in messages point at http://localhost:${port}, which only this machine can open; set server.publicUrl (FIRSTMATE_PUBLIC_URL)`,
    ]);
  });

  it('use server.publicUrl when set, without a warning', async () => {
    const { deps, warnings } = await start({ publicUrl: 'https://firstmate.example.com/' });
    expect(deps.knowledge.linksFor(oom)[0]?.url).toBe('https://firstmate.example.com/kb/container-oom-killed');
    expect(warnings.some((w) => w.includes('publicUrl'))).toBe(false);
  });
});
