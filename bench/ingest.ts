/**
 * Intake and pipeline throughput on one process: the real HTTP server (intake routes), the real
 * pipeline workers and Redis (REDIS_URL or local), clients on loopback with keep-alive.
 *
 * Figures (one JSON line each):
 * - `batched_alerts_per_s`: alerts accepted per second, 100 alerts per Alertmanager webhook, and
 *   the rate the ingest worker drained them into group state (`drained_alerts_per_s`);
 * - `single_webhooks_per_s`: generic webhooks with one alert each, accepted per second;
 * - `accept_to_decision_ms`: p50/p99 from acceptance to the flush decision (group_wait 0, one new
 *   group per alert, at a steady rate), with the check that each alert was notified exactly once;
 * - `bullmq_raw_jobs_per_s`: BullMQ add + process of empty jobs in the same run, and the ratio.
 *
 * Options: --seconds N (per phase, default 5), --clients N (default 32), --rate N (latency phase
 * webhooks/s, default 500).
 */
import { Agent, request } from 'node:http';
import { Worker as Thread } from 'node:worker_threads';
import type { ClientJob, ClientResult } from './ingest-client.ts';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deletePrefix, redisServerInstalled, startPrivateRedis } from '../app/redis.ts';
import { benchArgs } from './args.ts';
import { Queue, Worker } from 'bullmq';
import { configSchema } from '../app/config-schema.ts';
import { createDeps, type Deps } from '../app/deps.ts';
import { createHttpServer } from '../app/http-server.ts';
import { createLogger } from '../core/logger.ts';
import type { Notifier } from '../alerts/notifiers/types.ts';
import type { DecisionEvent } from '../alerts/pipeline/types.ts';

type Opts = {
  seconds: number;
  clients: number;
  rate: number;
};

const emit = (figure: string, fields: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ bench: 'ingest', figure, ...fields })}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function poster(port: number, clients: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  return (path: string, body: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

async function startHub(alerts: Record<string, unknown>, onDecision?: (e: DecisionEvent) => void) {
  const config = configSchema.parse({
    server: { port: 0, host: '127.0.0.1', bodyLimitBytes: 4 * 1024 * 1024 },
    log: { level: 'silent' },
    redis: {
      url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      prefix: `{fm-bench-${randomBytes(3).toString('hex')}}`,
      embedded: false,
    },
    alerts: { ...alerts, workers: { sampleEvery: '0' }, limits: { backlog: 1_000_000 } },
    kube: { mode: 'off' },
  });
  const deps = await createDeps(config, createLogger('silent'), onDecision ? { onDecision } : {});
  const counts = new Map<string, number>();
  const counter: Notifier = {
    kind: 'console',
    async send(_d, n, previous) {
      counts.set(n.groupKey, (counts.get(n.groupKey) ?? 0) + 1);
      return previous ?? { id: n.incidentId, channel: 'bench' };
    },
  };
  deps.alerts.notifiers.register(counter);
  const http = createHttpServer(deps, deps.alerts.httpPlugins);
  deps.lifecycle.add(http);
  await deps.lifecycle.start();
  return { deps, port: http.port(), counts, stop: () => cleanup(deps) };
}

async function cleanup(deps: Deps) {
  await deps.lifecycle.stop(10_000);
  await deletePrefix(deps.redisEndpoint.url, deps.config.redis.prefix);
}

/** Runs the clients in a worker thread (the server keeps this thread's event loop). */
function runClients(job: ClientJob): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    // Loader hooks do not reach worker threads: register tsx inside the worker first.
    const api = import.meta.resolve('tsx/esm/api');
    const client = new URL('./ingest-client.ts', import.meta.url).href;
    const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(client)}); })`;
    const t = new Thread(code, { eval: true, workerData: job });
    t.once('message', (r: ClientResult) => {
      resolve(r);
      void t.terminate();
    });
    t.once('error', reject);
  });
}

async function waitDrained(deps: Deps, timeoutMs = 120_000) {
  const q = deps.alerts.pipeline.queues.ingest;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const c = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    if ((c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) === 0) return;
    await sleep(20);
  }
  throw new Error('ingest queue did not drain');
}

async function batched(o: Opts) {
  const hub = await startHub({
    route: { receiver: 'console', group_by: ['alertname'], group_wait: '1s', group_interval: '1h' },
    ingest: { concurrency: 8 },
  });
  await runClients({ port: hub.port, kind: 'alertmanager100', clients: o.clients, seconds: 1, offset: 0 });
  await waitDrained(hub.deps);
  const keys = hub.deps.alerts.pipeline.keys;
  const countStored = async () => {
    let n = 0;
    for (const gk of await hub.deps.redis.smembers(keys.groups)) n += await hub.deps.redis.hlen(keys.groupAlerts(gk));
    return n;
  };
  const warmStored = await countStored();
  const t0 = performance.now();
  const r = await runClients({ port: hub.port, kind: 'alertmanager100', clients: o.clients, seconds: o.seconds, offset: 1_000_000 });
  await waitDrained(hub.deps);
  const drainMs = performance.now() - t0;
  const alerts = r.ok * 100;
  const stored = (await countStored()) - warmStored;
  emit('batched_alerts_per_s', {
    value: Math.round(alerts / (r.ms / 1000)),
    unit: 'alerts/s',
    webhooks: r.ok,
    refused: r.other,
    alerts_per_webhook: 100,
    clients: o.clients,
    seconds: +(r.ms / 1000).toFixed(2),
  });
  emit('drained_alerts_per_s', {
    value: Math.round(alerts / (drainMs / 1000)),
    unit: 'alerts/s',
    accepted: alerts,
    stored_in_groups: stored,
    lost: alerts - stored,
    groups: await hub.deps.redis.scard(keys.groups),
  });
  await hub.stop();
}

async function single(o: Opts) {
  const hub = await startHub({
    route: { receiver: 'console', group_by: ['alertname'], group_wait: '1s', group_interval: '1h' },
    ingest: { concurrency: 32 },
  });
  await runClients({ port: hub.port, kind: 'generic1', clients: o.clients, seconds: 1, offset: 0 });
  await waitDrained(hub.deps);
  const t0 = performance.now();
  const r = await runClients({ port: hub.port, kind: 'generic1', clients: o.clients, seconds: o.seconds, offset: 1_000_000 });
  await waitDrained(hub.deps);
  const drainMs = performance.now() - t0;
  emit('single_webhooks_per_s', {
    value: Math.round(r.ok / (r.ms / 1000)),
    unit: 'webhooks/s',
    webhooks: r.ok,
    refused: r.other,
    clients: o.clients,
    drained_per_s: Math.round(r.ok / (drainMs / 1000)),
  });
  await hub.stop();
  return r.ok / (drainMs / 1000);
}

async function latency(o: Opts) {
  const samples: number[] = [];
  const hub = await startHub(
    {
      route: { receiver: 'console', group_by: ['...'], group_wait: '0', group_interval: '1h', repeat_interval: '24h' },
      flush: { concurrency: 32 },
      notify: { concurrency: 32 },
    },
    (e) => {
      if (e.notify && e.acceptedAt !== undefined) samples.push(e.decidedAt - e.acceptedAt);
    },
  );
  const post = poster(hub.port, o.clients);
  const total = Math.round(o.rate * o.seconds);
  const interval = 1000 / o.rate;
  const start = performance.now();
  const pending: Array<Promise<number>> = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(post('/webhooks/generic', Buffer.from(JSON.stringify({ title: 'Latency', severity: 'info', labels: { n: String(i) } }))));
  }
  const statuses = await Promise.all(pending);
  const accepted = statuses.filter((s) => s === 202).length;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && [...hub.counts.values()].length < accepted) await sleep(50);
  await sleep(500);
  samples.sort((a, b) => a - b);
  const pct = (p: number) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))] ?? NaN;
  const notified = [...hub.counts.values()];
  emit('accept_to_decision_ms', {
    p50: pct(50),
    p99: pct(99),
    max: samples[samples.length - 1],
    unit: 'ms',
    rate_per_s: o.rate,
    alerts: accepted,
    decisions: samples.length,
    notified_groups: notified.length,
    lost: accepted - notified.length,
    duplicated: notified.filter((c) => c > 1).length,
  });
  await hub.stop();
}

async function rawBullmq(o: Opts, concurrency: number) {
  const deps = await createDeps(
    configSchema.parse({
      log: { level: 'silent' },
      kube: { mode: 'off' },
      redis: {
        url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        prefix: `{fm-bench-raw-${randomBytes(3).toString('hex')}}`,
        embedded: false,
      },
    }),
    createLogger('silent'),
  );
  const prefix = deps.config.redis.prefix;
  const queue = new Queue('raw', { connection: deps.redis, prefix, defaultJobOptions: { removeOnComplete: true } });
  let done = 0;
  const worker = new Worker(
    'raw',
    async () => {
      done++;
    },
    { connection: deps.newRedis(), prefix, concurrency },
  );
  await worker.waitUntilReady();
  let added = 0;
  const warmEnd = performance.now() + 1000;
  await Promise.all(
    Array.from({ length: o.clients }, async () => {
      while (performance.now() < warmEnd) await queue.add('job', { n: added++ });
    }),
  );
  while (done < added) await sleep(10);
  done = 0;
  added = 0;
  const start = performance.now();
  const end = start + o.seconds * 1000;
  await Promise.all(
    Array.from({ length: o.clients }, async () => {
      while (performance.now() < end) {
        await queue.add('job', { n: added++ });
      }
    }),
  );
  while (done < added) await sleep(10);
  const ms = performance.now() - start;
  await worker.close();
  await queue.close();
  await cleanup(deps);
  return { perS: added / (ms / 1000), added };
}

export async function main(args: string[]): Promise<void> {
  const { numbers: o, positionals } = benchArgs<Opts>({ seconds: 5, clients: 32, rate: 500 }, { args });
  // A private redis-server (no persistence) unless REDIS_URL is given: other clients of a shared
  // Redis would skew the figures.
  if (!process.env.REDIS_URL && redisServerInstalled()) {
    const dir = mkdtempSync(join(tmpdir(), 'fm-bench-redis-'));
    const server = await startPrivateRedis({ dir, appendonly: false });
    process.env.REDIS_URL = server.url;
    process.on('exit', () => {
      server.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });
  }
  emit('environment', {
    redis: process.env.REDIS_URL,
    cpus: availableParallelism(),
    loadavg: loadavg().map((l) => +l.toFixed(2)),
    node: process.version,
  });
  const only = positionals.find((a) => !/^\d+$/.test(a));
  if (!only || only === 'batched') await batched(o);
  const singlePerS = !only || only === 'single' ? await single(o) : 0;
  if (!only || only === 'latency') await latency(o);
  if (only && only !== 'raw') process.exit(0);
  const raw = await rawBullmq(o, 32);
  emit('bullmq_raw_jobs_per_s', {
    value: Math.round(raw.perS),
    unit: 'jobs/s',
    jobs: raw.added,
    single_webhook_drain_ratio: +(singlePerS / raw.perS).toFixed(3),
  });
  process.exit(0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
