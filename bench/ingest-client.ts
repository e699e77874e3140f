/**
 * The load generator of `bench/ingest.ts`, run in a worker thread so that client work does not
 * share the server's event loop: keep-alive HTTP clients posting bodies of one kind for a while.
 */
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { fingerprintOf } from '../alerts/model.ts';

export interface ClientJob {
  port: number;
  kind: 'alertmanager100' | 'generic1';
  clients: number;
  seconds: number;
  /** Added to the body counter so every phase posts distinct alerts. */
  offset: number;
}

export interface ClientResult {
  ok: number;
  other: number;
  ms: number;
}

const names = Array.from({ length: 20 }, (_, i) => `Bench${i}`);
const now = new Date().toISOString();

function body(kind: ClientJob['kind'], i: number): { path: string; data: Buffer } {
  if (kind === 'generic1') {
    return {
      path: '/webhooks/generic',
      data: Buffer.from(JSON.stringify({ title: `Single${i % 20}`, severity: 'warning', labels: { instance: `s-${i}` } })),
    };
  }
  return {
    path: '/webhooks/alertmanager',
    data: Buffer.from(
      JSON.stringify({
        version: '4',
        status: 'firing',
        receiver: 'firstmate',
        groupKey: `{}:{n="${i}"}`,
        truncatedAlerts: 0,
        groupLabels: {},
        commonLabels: {},
        commonAnnotations: {},
        externalURL: 'http://127.0.0.1:9093',
        alerts: Array.from({ length: 100 }, (_, j) => {
          const labels = { alertname: names[(i + j) % names.length]!, instance: `i-${i}-${j}`, severity: 'warning' };
          return {
            status: 'firing',
            labels,
            annotations: { summary: 'bench' },
            startsAt: now,
            endsAt: '0001-01-01T00:00:00Z',
            generatorURL: 'http://127.0.0.1:9090/graph',
            fingerprint: fingerprintOf(labels),
          };
        }),
      }),
    ),
  };
}

async function run(job: ClientJob): Promise<ClientResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.clients });
  const post = (path: string, data: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: job.port,
          path,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': data.length },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  let ok = 0;
  let other = 0;
  let i = job.offset;
  const start = performance.now();
  const end = start + job.seconds * 1000;
  await Promise.all(
    Array.from({ length: job.clients }, async () => {
      while (performance.now() < end) {
        const b = body(job.kind, i++);
        if ((await post(b.path, b.data)) === 202) ok++;
        else other++;
      }
    }),
  );
  agent.destroy();
  return { ok, other, ms: performance.now() - start };
}

if (parentPort) {
  const port = parentPort;
  void run(workerData as ClientJob).then((r) => port.postMessage(r));
}
