import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { sleep } from './wait.ts';

/** Where Debian's `prometheus-alertmanager` and upstream tarballs put the binary. */
const BINARIES = ['/usr/bin/prometheus-alertmanager', '/usr/local/bin/alertmanager', '/usr/bin/alertmanager'];

export function alertmanagerBinary(): string | undefined {
  return BINARIES.find((b) => existsSync(b));
}

/** One webhook Alertmanager sent (payload version 4), with when it arrived. */
export interface AmWebhook {
  at: number;
  body: {
    receiver: string;
    status: 'firing' | 'resolved';
    groupLabels: Record<string, string>;
    alerts: Array<{ status: 'firing' | 'resolved'; labels: Record<string, string>; fingerprint: string }>;
  };
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/**
 * A real Alertmanager on a loopback port with `config` (its YAML as an object; every receiver's
 * `webhook_configs` url may use `{hook}`, replaced by a local HTTP server that records each
 * webhook), clustering off, storage in a temporary directory.
 */
export async function startAlertmanager(bin: string, config: Record<string, unknown>) {
  const hooks: AmWebhook[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hooks.push({ at: Date.now(), body: JSON.parse(Buffer.concat(chunks).toString()) as AmWebhook['body'] });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alertmanager`;
  const dir = mkdtempSync(join(tmpdir(), 'fm-am-'));
  writeFileSync(join(dir, 'alertmanager.yml'), stringify(config).replaceAll('{hook}', hook));
  const port = await freePort();
  const child = spawn(
    bin,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${dir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`alertmanager exited: ${stderr}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`alertmanager did not get ready: ${stderr}`);
    await sleep(50);
  }
  return {
    url,
    hooks,
    async post(alerts: unknown[]): Promise<number> {
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      await res.text();
      return res.status;
    },
    async stop(): Promise<void> {
      if (child.exitCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        await exited;
      }
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
