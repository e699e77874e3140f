import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer } from '../../../app/http-server.ts';
import { createTestDeps } from '../../helpers/deps.ts';

type TestDeps = Awaited<ReturnType<typeof createTestDeps>>;

describe('http server', () => {
  let deps: TestDeps;
  let http: HttpServer;
  let base: string;
  let release: () => void = () => {};

  beforeEach(async () => {
    deps = await createTestDeps({ server: { bodyLimitBytes: 1024 } });
    http = createHttpServer(deps, [
      (app) => {
        app.post('/echo', async (req) => ({ got: req.body }));
        app.get('/slow', async () => {
          await new Promise<void>((r) => {
            release = r;
          });
          return { done: true };
        });
        app.get('/boom', async () => {
          throw new Error('database password leaked in message');
        });
      },
    ]);
    deps.lifecycle.add(http);
    await deps.lifecycle.start();
    base = `http://127.0.0.1:${http.port()}`;
  });
  afterEach(() => deps.stop());

  it('answers /healthz, /readyz with its checks, and /metrics with default and firstmate metrics', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { redis: true } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^process_cpu_user_seconds_total/m);
    expect(metrics).toMatch(/^firstmate_redis_up 1/m);
  });

  it('fails readiness when a registered check fails', async () => {
    deps.readiness.add('cache', () => false);
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ready: false, checks: { redis: true, cache: false } });
  });

  it('answers 400 with details for invalid JSON and prototype pollution', async () => {
    const bad = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a": ' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid JSON', details: [{ path: '(body)' }] });
    const proto = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"__proto__": {"admin": true}}',
    });
    expect(proto.status).toBe(400);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('answers 413 over the body limit and 415 for a wrong content type', async () => {
    const big = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x: 'y'.repeat(2000) }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: 'body too large' });
    const xml = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a/>' });
    expect(xml.status).toBe(415);
    expect(await xml.json()).toMatchObject({ error: 'unsupported content type' });
  });

  it('answers 404 in the same shape and hides internals of a 500 behind a reference', async () => {
    const missing = await fetch(`${base}/nowhere?token=x`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no route GET /nowhere' });
    const boom = await fetch(`${base}/boom`);
    expect(boom.status).toBe(500);
    const body = (await boom.json()) as { error: string; ref: string };
    expect(body.error).toBe('internal error');
    expect(body.ref).toMatch(/^[0-9a-f]{8}$/);
  });

  it('stop() waits for requests in flight and refuses new ones', async () => {
    const inFlight = fetch(`${base}/slow`);
    await new Promise((r) => setTimeout(r, 100));
    const stopping = http.stop();
    await new Promise((r) => setTimeout(r, 100));
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    await stopping;
  });
});
