/**
 * The load generator of the ingest benchmarks, always run as a process of its own (never inside
 * the server it measures). The job comes as JSON in FM_LOAD; the result is one JSON line on
 * stdout (plus `progress` lines for `count` jobs). Bodies are what Prometheus posts to an
 * Alertmanager (`/api/v2/alerts`), built from a counter, so every target gets the same bytes.
 *
 * - `closed`: `clients` keep-alive connections post for `seconds`;
 * - `count`: the same until `totalAlerts` were accepted, printing progress every `progressEvery`;
 * - `paced`: one new group per request at `rate`/s; a local webhook receiver on `receiverPort`
 *   records when each group's notification arrives (accept → notified latency).
 */
import { Agent, createServer, request } from 'node:http';

export interface LoadJob {
  mode: 'closed' | 'count' | 'paced';
  url: string;
  perRequest: number;
  clients: number;
  seconds?: number;
  /** Added to the alert counter, so phases and passes post distinct alerts. */
  offset: number;
  totalAlerts?: number;
  progressEvery?: number;
  rate?: number;
  receiverPort?: number;
  /** How long a paced job waits for the last notification. */
  waitMs?: number;
  bearer?: string;
}

const names = Array.from({ length: 20 }, (_, i) => `Bench${i}`);
const startsAt = new Date().toISOString();
const endsAt = new Date(Date.now() + 24 * 3600_000).toISOString();

/**
 * `perRequest` alerts from counter `n` on: 20 alert names × 10 namespaces = 200 groups. Written
 * as text (the generator must stay cheaper than the servers it drives); names and values need
 * no JSON escaping.
 */
export function alertsBody(n: number, perRequest: number, alertname?: string): Buffer {
  const parts: string[] = [];
  for (let j = 0; j < perRequest; j++) {
    const k = n * perRequest + j;
    const name = alertname ?? names[k % names.length]!;
    const instance = `host-${k}:9100`;
    parts.push(
      `{"labels":{"alertname":"${name}","namespace":"ns-${k % 10}","instance":"${instance}","job":"node","severity":"warning"},` +
        `"annotations":{"summary":"bench alert","description":"alert ${k}"},"startsAt":"${startsAt}","endsAt":"${endsAt}",` +
        `"generatorURL":"http://127.0.0.1:9090/graph?g0.expr=up"}`,
    );
  }
  return Buffer.from(`[${parts.join(',')}]`);
}

function poster(job: LoadJob) {
  const target = new URL(job.url);
  const agent = new Agent({ keepAlive: true, maxSockets: job.clients });
  return (data: Buffer) =>
    new Promise<number>((resolve) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': data.length,
            ...(job.bearer ? { authorization: `Bearer ${job.bearer}` } : {}),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', () => resolve(0));
      req.end(data);
    });
}

const out = (v: unknown) => process.stdout.write(`${JSON.stringify(v)}\n`);

async function closed(job: LoadJob) {
  const post = poster(job);
  let ok = 0;
  let other = 0;
  let n = job.offset;
  const start = performance.now();
  const end = start + (job.seconds ?? 5) * 1000;
  const total = job.totalAlerts ?? Infinity;
  let nextProgress = job.progressEvery ?? Infinity;
  await Promise.all(
    Array.from({ length: job.clients }, async () => {
      while (job.mode === 'count' ? ok * job.perRequest < total : performance.now() < end) {
        const status = await post(alertsBody(n++, job.perRequest));
        if (status >= 200 && status < 300) ok++;
        else other++;
        if (ok * job.perRequest >= nextProgress) {
          out({ progress: ok * job.perRequest, ms: Math.round(performance.now() - start) });
          nextProgress += job.progressEvery ?? Infinity;
        }
      }
    }),
  );
  out({ ok, other, alerts: ok * job.perRequest, ms: performance.now() - start });
}

async function paced(job: LoadJob) {
  const sentAt = new Map<string, number>();
  const notified = new Map<string, number[]>();
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as {
          groupLabels?: Record<string, string>;
          notification?: { groupLabels: Record<string, string> };
        };
        const name = (body.notification?.groupLabels ?? body.groupLabels ?? {}).alertname;
        if (name) notified.set(name, [...(notified.get(name) ?? []), at]);
      } catch {
        // Not a notification.
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"bench"}');
    });
  });
  await new Promise<void>((r) => receiver.listen(job.receiverPort, '127.0.0.1', r));
  const post = poster(job);
  const rate = job.rate ?? 500;
  const total = Math.round(rate * (job.seconds ?? 5));
  const start = performance.now();
  const pending: Array<Promise<void>> = [];
  let ok = 0;
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const name = `Burst${job.offset + i}`;
    const t = performance.now();
    pending.push(
      post(alertsBody(job.offset + i, 1, name)).then((status) => {
        if (status >= 200 && status < 300) {
          ok++;
          sentAt.set(name, t);
        }
      }),
    );
  }
  await Promise.all(pending);
  const deadline = performance.now() + (job.waitMs ?? 60_000);
  while (performance.now() < deadline && [...sentAt.keys()].some((k) => !notified.has(k))) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  receiver.close();
  const latencies = [...sentAt.entries()].filter(([k]) => notified.has(k)).map(([k, t]) => notified.get(k)![0]! - t);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => +(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN).toFixed(1);
  out({
    ok,
    groups: total,
    notified: latencies.length,
    lost: ok - latencies.length,
    duplicated: [...notified.values()].filter((v) => v.length > 1).length,
    p50: pct(50),
    p99: pct(99),
    max: +(latencies[latencies.length - 1] ?? NaN).toFixed(1),
  });
}

const job = JSON.parse(process.env.FM_LOAD ?? '{}') as LoadJob;
if (job.mode === 'paced') await paced(job);
else await closed(job);
process.exit(0);
