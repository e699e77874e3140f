import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** One request the fake received: a Web API method call or a POST to a `response_url`. */
export interface FakeSlackCall {
  /** Web API method (`chat.postMessage`), or `response_url` for posts to `responseUrl()`. */
  method: string;
  /** Form or JSON parameters; JSON-encoded values (blocks) are decoded. */
  params: Record<string, unknown>;
  /** Bearer token from the Authorization header (or the `token` parameter). */
  token?: string;
  /** The URL path, useful for `response_url` calls. */
  path: string;
}

/** A canned failure for the next calls: an HTTP status (429 with Retry-After, 5xx) or a Slack error. */
export type FakeSlackFailure = { status: 429; retryAfterSec: number } | { status: 500 | 502 | 503 } | { error: string };

/** A message the fake holds, as `conversations.history` answers it. */
export interface FakeSlackMessage {
  ts: string;
  text?: unknown;
  blocks?: unknown;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

/** An acknowledgement the Socket Mode client sent back over the WebSocket. */
export interface FakeSocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

/**
 * A local fake of the Slack Web API and Socket Mode, for tests. Point a `WebClient` or Bolt
 * `App` at it with `slackApiUrl: fake.apiUrl`. It answers `auth.test`, `chat.postMessage`
 * (new `ts` each time), `chat.update` (only for a known `channel` + `ts`, else
 * `message_not_found`), `conversations.history` (newest first, `metadata` only with
 * `include_all_metadata`; `channel_not_found` for a `#name`), `chat.postEphemeral`, `apps.connections.open` (a WebSocket URL on the
 * same server), `views.*`, and records every call in order.
 *
 * @example
 * const slack = await startFakeSlack();
 * slack.failNext(1, { status: 429, retryAfterSec: 7 });
 * const [call] = await slack.waitFor('chat.postMessage');
 * await slack.close();
 */
export interface FakeSlack {
  /** Base URL for `slackApiUrl` (ends with `/api/`). */
  apiUrl: string;
  /** A `response_url` served by the fake; posts to it are recorded as method `response_url`. */
  responseUrl(id?: string): string;
  /** Every call so far, in arrival order. */
  readonly calls: FakeSlackCall[];
  /** Calls to one method. */
  callsTo(method: string): FakeSlackCall[];
  /** Resolves once at least `count` calls to `method` arrived (default 1); rejects after `timeoutMs`. */
  waitFor(method: string, count?: number, timeoutMs?: number): Promise<FakeSlackCall[]>;
  /** The next `n` Web API calls (any method but `apps.connections.open`) fail this way. */
  failNext(n: number, failure: FakeSlackFailure): void;
  /** Messages posted to a channel (with their metadata as last posted or updated), oldest first. */
  messages(channel: string): readonly FakeSlackMessage[];
  /** The next `n` calls to `method` take effect at once but are answered only after `delayMs`. */
  delayNext(method: string, delayMs: number, n?: number): void;
  /** Socket Mode: resolves when a client has connected (and got `hello`). */
  waitForSocket(timeoutMs?: number): Promise<void>;
  /** Socket Mode: sends an envelope (`slash_commands`, `events_api`, `interactive`) and returns its id. */
  sendEnvelope(type: 'slash_commands' | 'events_api' | 'interactive', payload: Record<string, unknown>): string;
  /** Socket Mode: resolves with the ack for an envelope; rejects after `timeoutMs`. */
  waitForAck(envelopeId: string, timeoutMs?: number): Promise<FakeSocketAck>;
  /** Number of `apps.connections.open` calls so far (reconnects make more). */
  readonly connectionsOpened: number;
  /** Drops every WebSocket connection (to test reconnects) without stopping the server. */
  dropSockets(): void;
  close(): Promise<void>;
}

export const FAKE_BOT_USER_ID = 'UFIRSTMATE';
export const FAKE_BOT_ID = 'BFIRSTMATE';
export const FAKE_TEAM_ID = 'T0FAKE';

/** Starts the fake on 127.0.0.1, port 0. */
export async function startFakeSlack(opts: { botUserId?: string } = {}): Promise<FakeSlack> {
  const botUserId = opts.botUserId ?? FAKE_BOT_USER_ID;
  const calls: FakeSlackCall[] = [];
  const waiters: Array<() => void> = [];
  const failures: FakeSlackFailure[] = [];
  const messages = new Map<string, FakeSlackMessage[]>();
  const delays: Array<{ method: string; delayMs: number }> = [];
  const acks = new Map<string, FakeSocketAck>();
  const sockets = new Set<WebSocket>();
  let tsCounter = 0;
  let envelopeCounter = 0;
  let connectionsOpened = 0;
  const notify = () => {
    for (const w of waiters.splice(0)) w();
  };

  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data) => {
      try {
        const ack = JSON.parse(String(data)) as FakeSocketAck;
        if (typeof ack.envelope_id === 'string') acks.set(ack.envelope_id, ack);
      } catch {
        return;
      }
      notify();
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: sockets.size,
        connection_info: { app_id: 'AFAKE' },
        debug_info: { host: 'fake', approximate_connection_time: 18060 },
      }),
    );
    notify();
  });
  const pinger = setInterval(() => {
    for (const ws of sockets) ws.ping();
  }, 5000);
  pinger.unref();

  const server: Server = createServer((req, res) => void handle(req, res));
  server.on('upgrade', (req, socket, head) => {
    if (!req.url?.startsWith('/link')) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const params = parseBody(raw, String(req.headers['content-type'] ?? ''));
    const auth = String(req.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : typeof params.token === 'string' ? params.token : undefined;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (path.startsWith('/response/')) {
      calls.push({ method: 'response_url', params, token, path });
      notify();
      return send(200, { ok: true });
    }
    const method = path.replace(/^\/api\//, '');
    calls.push({ method, params, token, path });
    notify();
    if (method !== 'apps.connections.open') {
      const failure = failures.shift();
      if (failure && 'status' in failure) {
        return failure.status === 429
          ? send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure.retryAfterSec) })
          : send(failure.status, { ok: false, error: 'fatal_error' });
      }
      if (failure) return send(200, { ok: false, error: failure.error });
    }
    const body = answer(method, params, token);
    const delay = delays.findIndex((x) => x.method === method);
    if (delay >= 0) setTimeout(() => send(200, body), delays.splice(delay, 1)[0]!.delayMs).unref();
    else send(200, body);
  }

  function answer(method: string, params: Record<string, unknown>, token: string | undefined): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://fake.slack.test/',
          team: 'fake',
          user: 'firstmate',
          team_id: FAKE_TEAM_ID,
          user_id: botUserId,
          bot_id: FAKE_BOT_ID,
        };
      case 'apps.connections.open':
        if (!token?.startsWith('xapp-')) return { ok: false, error: 'invalid_auth' };
        connectionsOpened++;
        return { ok: true, url: `${base.replace('http', 'ws')}/link/?ticket=${connectionsOpened}` };
      case 'chat.postMessage': {
        const ts = `${Math.floor(Date.now() / 1000)}.${String(++tsCounter).padStart(6, '0')}`;
        const channel = String(params.channel);
        messages.set(channel, [...(messages.get(channel) ?? []), { ts, text: params.text, blocks: params.blocks, ...metadataOf(params) }]);
        return { ok: true, channel: params.channel, ts, message: { text: params.text, blocks: params.blocks, ts } };
      }
      case 'chat.update': {
        const message = messages.get(String(params.channel))?.find((m) => m.ts === String(params.ts));
        if (!message) return { ok: false, error: 'message_not_found' };
        Object.assign(message, { text: params.text, blocks: params.blocks }, metadataOf(params));
        return { ok: true, channel: params.channel, ts: params.ts, text: params.text };
      }
      case 'conversations.history':
        return history(params);
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${Math.floor(Date.now() / 1000)}.${String(++tsCounter).padStart(6, '0')}` };
      default:
        return method.startsWith('views.') ? { ok: true, view: { id: 'VFAKE' } } : { ok: false, error: 'unknown_method' };
    }
  }

  function history(params: Record<string, unknown>): Record<string, unknown> {
    const channel = String(params.channel);
    if (channel.startsWith('#')) return { ok: false, error: 'channel_not_found' };
    const oldest = Number(params.oldest ?? 0);
    const inclusive = String(params.inclusive) === 'true';
    const newestFirst = (messages.get(channel) ?? [])
      .filter((m) => Number(m.ts) > oldest || (inclusive && Number(m.ts) === oldest))
      .reverse();
    const start = Number(params.cursor ?? 0);
    const limit = Number(params.limit ?? 100);
    const withMetadata = String(params.include_all_metadata) === 'true';
    const page = newestFirst
      .slice(start, start + limit)
      .map(({ metadata, ...m }) => ({ type: 'message', bot_id: FAKE_BOT_ID, ...m, ...(withMetadata && metadata ? { metadata } : {}) }));
    const more = start + limit < newestFirst.length;
    return {
      ok: true,
      messages: page,
      has_more: more,
      pin_count: 0,
      response_metadata: { next_cursor: more ? String(start + limit) : '' },
    };
  }

  const until = (check: () => boolean, timeoutMs: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fake slack: timed out waiting for ${what}`)), timeoutMs);
      const poll = () => {
        if (check()) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(poll);
      };
      poll();
    });

  return {
    apiUrl: `${base}/api/`,
    responseUrl: (id = String(++envelopeCounter)) => `${base}/response/${id}`,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    async waitFor(method, count = 1, timeoutMs = 5000) {
      await until(() => calls.filter((c) => c.method === method).length >= count, timeoutMs, `${count} × ${method}`);
      return calls.filter((c) => c.method === method);
    },
    messages: (channel) => messages.get(channel) ?? [],
    delayNext(method, delayMs, n = 1) {
      for (let i = 0; i < n; i++) delays.push({ method, delayMs });
    },
    failNext(n, failure) {
      for (let i = 0; i < n; i++) failures.push(failure);
    },
    waitForSocket: (timeoutMs = 5000) => until(() => sockets.size > 0, timeoutMs, 'a Socket Mode connection'),
    sendEnvelope(type, payload) {
      const envelopeId = `env-${++envelopeCounter}`;
      const frame: Record<string, unknown> = { envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api' };
      if (type === 'events_api') Object.assign(frame, { retry_attempt: 0, retry_reason: '' });
      const text = JSON.stringify(frame);
      for (const ws of sockets) ws.send(text);
      return envelopeId;
    },
    async waitForAck(envelopeId, timeoutMs = 5000) {
      await until(() => acks.has(envelopeId), timeoutMs, `the ack of ${envelopeId}`);
      return acks.get(envelopeId)!;
    },
    get connectionsOpened() {
      return connectionsOpened;
    },
    dropSockets() {
      for (const ws of sockets) ws.terminate();
    },
    async close() {
      clearInterval(pinger);
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (!raw) return {};
  if (contentType.includes('application/json')) {
    try {
      return JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return { _raw: raw };
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    out[k] = /^[[{]/.test(v) ? tryJson(v) : v;
  }
  return out;
}

function metadataOf(params: Record<string, unknown>): Pick<FakeSlackMessage, 'metadata'> {
  const m = params.metadata as FakeSlackMessage['metadata'] | undefined;
  return m && typeof m === 'object' && typeof m.event_type === 'string' ? { metadata: m } : {};
}

function tryJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
