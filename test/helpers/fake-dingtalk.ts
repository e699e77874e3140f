import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** A frame the client sent up the WebSocket (acks, ping answers). */
export interface UpFrame {
  code: number;
  headers: Record<string, string>;
  message: string;
  data: string;
}

/** A POST the fake received (session webhook or custom robot). */
export interface Received {
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  at: number;
}

/** A scripted answer for the next robot POSTs: HTTP status, JSON body, headers. */
export interface ScriptedAnswer {
  status?: number;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/**
 * A local stand-in for DingTalk: the Stream gateway (`POST /v1.0/gateway/connections/open` →
 * endpoint + one-time ticket, then a WebSocket at `/connect`), session webhooks under
 * `/session/<id>`, and custom robots at `/robot/send` verifying `timestamp`/`sign` against
 * `robotSecret`. It records connection attempts, up frames and POSTs, and can refuse
 * handshakes, drop connections, stop answering pings and script robot answers.
 */
export async function startFakeDingTalk(opts: { robotSecret?: string; robotToken?: string } = {}) {
  const tickets = new Set<string>();
  const sockets = new Set<WebSocket>();
  const hung = new Set<Socket>();
  const wss = new WebSocketServer({ noServer: true, autoPong: false });
  const state = {
    /** `connections/open` calls, with the time each arrived. */
    openCalls: [] as Array<{ at: number; body: Record<string, unknown> }>,
    /** WebSocket upgrade attempts (accepted or refused). */
    handshakes: [] as number[],
    /** Most WebSocket connections open at the same moment. */
    maxConcurrent: 0,
    upFrames: [] as UpFrame[],
    sessionPosts: [] as Received[],
    robotPosts: [] as Received[],
    refuseOpen: false,
    refuseHandshake: false,
    /** Accept WebSocket upgrades but never answer them. */
    hangHandshake: false,
    /** Stop answering WebSocket pings (a half-dead connection). */
    mutePongs: false,
    robotScript: [] as ScriptedAnswer[],
  };
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const l of listeners) l();
  };

  const readBody = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const verifySign = (q: URLSearchParams): boolean => {
    if (!opts.robotSecret) return true;
    const timestamp = q.get('timestamp') ?? '';
    const sign = q.get('sign') ?? '';
    if (Math.abs(Date.now() - Number(timestamp)) > 3600_000) return false;
    const expected = createHmac('sha256', opts.robotSecret).update(`${timestamp}\n${opts.robotSecret}`).digest();
    const given = Buffer.from(sign, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = await readBody(req);
      if (req.method === 'POST' && url.pathname === '/v1.0/gateway/connections/open') {
        state.openCalls.push({ at: Date.now(), body });
        changed();
        if (state.refuseOpen) return json(res, 503, { code: 'ServiceUnavailable', message: 'try later' });
        if (!body.clientId || !body.clientSecret) return json(res, 400, { code: 'MissingParameter', message: 'clientId' });
        const ticket = randomUUID();
        tickets.add(ticket);
        return json(res, 200, { endpoint: `ws://127.0.0.1:${port()}/connect`, ticket });
      }
      if (req.method === 'POST' && url.pathname.startsWith('/session/')) {
        state.sessionPosts.push({ path: url.pathname, query: url.searchParams, body, at: Date.now() });
        changed();
        return json(res, 200, { errcode: 0, errmsg: 'ok' });
      }
      if (req.method === 'POST' && url.pathname === '/robot/send') {
        state.robotPosts.push({ path: url.pathname, query: url.searchParams, body, at: Date.now() });
        changed();
        if (opts.robotToken && url.searchParams.get('access_token') !== opts.robotToken)
          return json(res, 200, { errcode: 300001, errmsg: 'token is not exist' });
        if (!verifySign(url.searchParams)) return json(res, 200, { errcode: 310000, errmsg: 'sign not match' });
        const next = state.robotScript.shift();
        if (next) return json(res, next.status ?? 200, next.body ?? { errcode: 0, errmsg: 'ok' }, next.headers);
        return json(res, 200, { errcode: 0, errmsg: 'ok' });
      }
      json(res, 404, { errcode: 404, errmsg: 'not found' });
    })();
  });

  server.on('upgrade', (req, socket: Socket, head) => {
    state.handshakes.push(Date.now());
    changed();
    if (state.hangHandshake) {
      hung.add(socket);
      socket.on('close', () => hung.delete(socket));
      return;
    }
    const ticket = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('ticket') ?? '';
    if (state.refuseHandshake || !tickets.delete(ticket)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      state.maxConcurrent = Math.max(state.maxConcurrent, sockets.size);
      ws.on('message', (raw) => {
        try {
          state.upFrames.push(JSON.parse(String(raw)) as UpFrame);
        } catch {
          state.upFrames.push({ code: 0, headers: {}, message: 'unparseable', data: String(raw) });
        }
        changed();
      });
      ws.on('ping', (data) => {
        if (!state.mutePongs) ws.pong(data);
      });
      ws.on('close', () => {
        sockets.delete(ws);
        changed();
      });
      changed();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = () => (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port()}`;

  const broadcast = (frame: unknown) => {
    for (const ws of sockets) ws.send(JSON.stringify(frame));
  };

  return {
    state,
    gatewayUrl: `${base}/v1.0/gateway/connections/open`,
    robotUrl: `${base}/robot/send`,
    sessionWebhook: (id: string = randomUUID()) => `${base}/session/${id}`,
    connections: () => sockets.size,
    /** Resolves when `check` holds (re-evaluated on every recorded change), rejects after `timeoutMs`. */
    waitFor<T>(check: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
      return new Promise((resolve, reject) => {
        const attempt = () => {
          const v = check();
          if (v) {
            listeners.delete(attempt);
            clearTimeout(timer);
            resolve(v);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(attempt);
          reject(new Error('fake DingTalk: condition not met in time'));
        }, timeoutMs);
        listeners.add(attempt);
        attempt();
      });
    },
    /** Sends a robot message CALLBACK; returns its frame messageId. */
    sendRobotMessage(data: Record<string, unknown>, messageId: string = randomUUID()): string {
      broadcast({
        specVersion: '1.0',
        type: 'CALLBACK',
        headers: {
          appId: 'app',
          connectionId: 'c1',
          contentType: 'application/json',
          messageId,
          time: String(Date.now()),
          topic: '/v1.0/im/bot/messages/get',
        },
        data: JSON.stringify(data),
      });
      return messageId;
    },
    sendPing(): string {
      const messageId = randomUUID();
      broadcast({
        specVersion: '1.0',
        type: 'SYSTEM',
        headers: { contentType: 'application/json', messageId, time: String(Date.now()), topic: 'ping' },
        data: JSON.stringify({ opaque: messageId }),
      });
      return messageId;
    },
    sendDisconnect(): void {
      broadcast({
        specVersion: '1.0',
        type: 'SYSTEM',
        headers: { contentType: 'application/json', messageId: randomUUID(), time: String(Date.now()), topic: 'disconnect' },
        data: JSON.stringify({ reason: 'gateway upgrade' }),
      });
    },
    dropConnections(): void {
      for (const ws of sockets) ws.terminate();
    },
    async close(): Promise<void> {
      for (const ws of sockets) ws.terminate();
      for (const s of hung) s.destroy();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakeDingTalk = Awaited<ReturnType<typeof startFakeDingTalk>>;
