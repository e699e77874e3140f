import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookHit {
  at: number;
  status: number;
  key: string;
  body: {
    action: 'create' | 'update';
    previous: { id: string } | null;
    notification: {
      id: string;
      incidentId: string;
      status: string;
      groupLabels: Record<string, string>;
      firing: Array<{ fingerprint: string; labels: Record<string, string> }>;
    };
  };
}

/**
 * A local webhook destination: answers with whatever `respond` says for each request (status,
 * headers) and records every request with the status it got.
 */
export async function startFakeWebhook(
  respond: (n: number, req: IncomingMessage) => { status: number; headers?: Record<string, string>; delayMs?: number } = () => ({
    status: 200,
  }),
) {
  const hits: WebhookHit[] = [];
  let n = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = respond(n++, req);
      const body = JSON.parse(Buffer.concat(chunks).toString()) as WebhookHit['body'];
      hits.push({ at: Date.now(), status: answer.status, key: String(req.headers['idempotency-key'] ?? ''), body });
      setTimeout(() => {
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(JSON.stringify({ id: `w-${body.notification.incidentId}` }));
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    hits,
    ok: () => hits.filter((h) => h.status < 300),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
