import { DWClient, TOPIC_ROBOT, type DWClientDownStream } from 'dingtalk-stream';
import type WebSocket from 'ws';
import { backoffDelay } from '../../core/backoff.ts';
import type { Logger } from '../../core/logger.ts';
import type { Metrics } from '../../core/metrics.ts';

/** Where the connection is: `waiting` means a reconnect is scheduled. */
export type StreamState = 'idle' | 'connecting' | 'connected' | 'waiting' | 'stopped';

/** How the Stream connection is opened and kept. */
export interface DingTalkStreamOptions {
  clientId: string;
  clientSecret: string;
  /** The `connections/open` URL. */
  gatewayUrl: string;
  minDelayMs: number;
  maxDelayMs: number;
  heartbeatMs: number;
  requestTimeoutMs: number;
  /** Called for every robot message frame, after it has been acknowledged. */
  onRobotMessage(frame: DWClientDownStream): void;
  logger: Logger;
  metrics: Metrics;
  /** Source of jitter, `Math.random` by default. */
  random?: () => number;
}

/**
 * The SDK keeps the socket, the ticket URL and the WebSocket options in members its types
 * declare private; the gateway override must set the URL, the connection keeper must watch the
 * socket close, and the handshake needs a timeout the SDK does not set.
 */
interface SdkInternals {
  socket?: WebSocket;
  dw_url?: string;
  sslopts: WebSocket.ClientOptions;
}
const internals = (c: DWClient) => c as unknown as SdkInternals;

/**
 * `DWClient` with a configurable gateway, no reconnect of its own (its loop doubles on a failed
 * handshake) and a hook for the server's `disconnect` notice. One instance per connection.
 */
class GatewayClient extends DWClient {
  constructor(
    private readonly gateway: { url: string; timeoutMs: number; clientId: string; clientSecret: string },
    private readonly onServerDisconnect: () => void,
  ) {
    super({ clientId: gateway.clientId, clientSecret: gateway.clientSecret, keepAlive: false, debug: false, ua: 'firstmate' });
    this.config.autoReconnect = false;
    // Robot messages only: the SDK's default also subscribes to every event of the app.
    this.config.subscriptions = [{ type: 'CALLBACK', topic: TOPIC_ROBOT }];
    internals(this).sslopts = { ...internals(this).sslopts, handshakeTimeout: gateway.timeoutMs };
  }

  override async getEndpoint(): Promise<this> {
    const { url, timeoutMs, clientId, clientSecret } = this.gateway;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ clientId, clientSecret, ua: this.config.ua, subscriptions: this.config.subscriptions }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new Error(`DingTalk gateway unreachable: ${(err as Error).message}`, { cause: err });
    }
    const body = (await res.json().catch(() => ({}))) as { endpoint?: unknown; ticket?: unknown; message?: unknown };
    if (!res.ok) throw new Error(`DingTalk gateway answered ${res.status}${typeof body.message === 'string' ? `: ${body.message}` : ''}`);
    if (typeof body.endpoint !== 'string' || typeof body.ticket !== 'string')
      throw new Error('DingTalk gateway answered without endpoint or ticket');
    const wsUrl = new URL(body.endpoint);
    wsUrl.searchParams.set('ticket', body.ticket);
    internals(this).dw_url = wsUrl.toString();
    return this;
  }

  override onSystem(frame: DWClientDownStream): void {
    super.onSystem(frame);
    if (frame.headers.topic === 'disconnect') this.onServerDisconnect();
  }
}

/**
 * Keeps one DingTalk Stream connection open: handshake (`connections/open` → WebSocket with the
 * ticket), WebSocket-level heartbeat, and on any failure or close a reconnect after a capped
 * exponential delay with jitter. Never more than one connection or one pending attempt; the
 * delay only resets after a connection has stayed up for `maxDelayMs`, so a gateway that
 * accepts and drops at once cannot cause a storm.
 */
export class DingTalkStream {
  private current: 'idle' | 'connecting' | 'connected' | 'waiting' | 'stopped' = 'idle';
  private attempt = 0;
  private client?: GatewayClient;
  private timer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private connectedAt = 0;
  private closeReason = 'closed';
  private closed?: Promise<void>;
  private waiters: Array<() => void> = [];
  private readonly log: Logger;
  readonly name = 'dingtalk-stream';

  constructor(private readonly opts: DingTalkStreamOptions) {
    this.log = opts.logger.child({ component: 'dingtalk' });
  }

  get state(): StreamState {
    return this.current;
  }

  isConnected(): boolean {
    return this.current === 'connected';
  }

  /** Starts connecting in the background; readiness and metrics show when it is up. */
  async start(): Promise<void> {
    this.current = 'idle';
    void this.connect();
  }

  /** Resolves once connected (at once if already), rejects after `timeoutMs`. */
  whenConnected(timeoutMs: number): Promise<void> {
    if (this.isConnected()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`DingTalk Stream not connected after ${timeoutMs} ms (state ${this.current})`)),
        timeoutMs,
      );
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    this.current = 'stopped';
    clearTimeout(this.timer);
    this.stopHeartbeat();
    const client = this.client;
    this.client = undefined;
    this.opts.metrics.dingtalkConnected.set(0);
    if (!client) return;
    client.disconnect();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.closed,
      new Promise<void>((r) => {
        timer = setTimeout(r, 2000);
      }),
    ]);
    clearTimeout(timer);
  }

  private async connect(): Promise<void> {
    if (this.current === 'stopped') return;
    this.current = 'connecting';
    const { clientId, clientSecret, gatewayUrl, requestTimeoutMs } = this.opts;
    const client: GatewayClient = new GatewayClient({ url: gatewayUrl, timeoutMs: requestTimeoutMs, clientId, clientSecret }, () => {
      this.log.info('gateway asked to reconnect');
      this.closeReason = 'server-disconnect';
      internals(client).socket?.terminate();
    });
    client.registerCallbackListener(TOPIC_ROBOT, (frame) => this.onCallback(client, frame));
    try {
      await client.getEndpoint();
      await client._connect();
    } catch (err) {
      this.log.warn({ err: (err as Error).message, attempt: this.attempt }, 'DingTalk Stream handshake failed');
      this.retry('handshake');
      return;
    }
    const socket = internals(client).socket;
    if (this.state === 'stopped' || !socket) {
      client.disconnect();
      return;
    }
    this.client = client;
    this.closeReason = 'closed';
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.onClosed(client);
        resolve();
      }),
    );
    this.startHeartbeat(socket);
    this.current = 'connected';
    this.connectedAt = Date.now();
    this.opts.metrics.dingtalkConnected.set(1);
    this.log.info('DingTalk Stream connected');
    for (const wake of this.waiters.splice(0)) wake();
  }

  private onCallback(client: GatewayClient, frame: DWClientDownStream): void {
    try {
      client.socketCallBackResponse(frame.headers.messageId, { status: 'SUCCESS', message: 'OK' });
    } catch (err) {
      this.log.warn({ err, messageId: frame.headers.messageId }, 'could not acknowledge a DingTalk callback');
    }
    try {
      this.opts.onRobotMessage(frame);
    } catch (err) {
      this.log.error({ err, messageId: frame.headers.messageId }, 'DingTalk robot message handler failed');
    }
  }

  private onClosed(client: GatewayClient): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.stopHeartbeat();
    this.opts.metrics.dingtalkConnected.set(0);
    if (this.current === 'stopped') return;
    if (Date.now() - this.connectedAt >= this.opts.maxDelayMs) this.attempt = 0;
    this.log.warn({ reason: this.closeReason }, 'DingTalk Stream connection closed');
    this.retry(this.closeReason);
  }

  private retry(reason: string): void {
    if (this.current === 'stopped') return;
    const { minDelayMs, maxDelayMs } = this.opts;
    const random = this.opts.random ?? Math.random;
    const delay = backoffDelay(this.attempt, { baseMs: minDelayMs, maxMs: maxDelayMs }, random);
    this.attempt++;
    this.current = 'waiting';
    this.opts.metrics.dingtalkReconnects.inc({ reason });
    this.log.info({ delayMs: delay, attempt: this.attempt, reason }, 'DingTalk Stream reconnect scheduled');
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, delay);
  }

  private startHeartbeat(socket: WebSocket): void {
    let alive = true;
    socket.on('pong', () => {
      alive = true;
    });
    this.heartbeat = setInterval(() => {
      if (!alive) {
        this.log.warn('no pong from the DingTalk gateway; dropping the connection');
        this.closeReason = 'heartbeat';
        socket.terminate();
        return;
      }
      alive = false;
      socket.ping();
    }, this.opts.heartbeatMs);
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
