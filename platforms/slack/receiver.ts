import { parse as parseQuery } from 'node:querystring';
import { AuthorizationError, verifySlackRequest, type App, type Receiver, type ReceiverEvent } from '@slack/bolt';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HttpPlugin } from '../../core/http.ts';
import type { Logger } from '../../core/logger.ts';

/** How far a request timestamp may be from now before it is refused as stale or replayed. */
const MAX_SKEW_SEC = 5 * 60;

/**
 * A Bolt `Receiver` for HTTP mode that lives on our fastify server instead of opening its own:
 * `plugin` registers `POST <path>` (default `/slack/events`). Each request is verified with
 * Bolt's `verifySlackRequest` (signing v0, HMAC-SHA256 over the raw body) and refused with 401
 * when unsigned, badly signed or more than 5 minutes off; `url_verification` and `ssl_check`
 * are answered here. With `firstDelivery`, a signed request seen before (same signature, so
 * the same timestamp and body) is answered 200 without running again: a replayed slash command,
 * button press or form submission within the 5-minute window is processed once. The HTTP answer
 * goes out as soon as a listener calls `ack()` (Slack wants one within 3 s); the listener keeps
 * running after it.
 */
export interface SlackHttpReceiver extends Receiver {
  plugin: HttpPlugin;
}

export function createSlackHttpReceiver(opts: {
  signingSecret: string;
  logger: Logger;
  path?: string;
  ackTimeoutMs?: number;
  now?: () => number;
  /**
   * Claims a verified request by its signature for `ttlSeconds`; false when it was claimed before
   * (a replay). Failing to claim lets the request through.
   */
  firstDelivery?: (signature: string, ttlSeconds: number) => Promise<boolean>;
}): SlackHttpReceiver {
  const { signingSecret, logger } = opts;
  const path = opts.path ?? '/slack/events';
  const ackTimeoutMs = opts.ackTimeoutMs ?? 2800;
  const now = opts.now ?? Date.now;
  let app: App | undefined;

  async function handle(req: FastifyRequest, res: FastifyReply): Promise<unknown> {
    const raw = typeof req.body === 'string' ? req.body : '';
    const form = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    if (form && parseQuery(raw).ssl_check === '1') return res.status(200).send('');

    const signature = req.headers['x-slack-signature'];
    const timestamp = Number(req.headers['x-slack-request-timestamp']);
    if (typeof signature !== 'string' || !Number.isFinite(timestamp))
      return res.status(401).send({ error: 'missing Slack signature headers' });
    if (Math.abs(Math.floor(now() / 1000) - timestamp) > MAX_SKEW_SEC)
      return res.status(401).send({ error: 'stale Slack request timestamp' });
    try {
      verifySlackRequest({
        signingSecret,
        body: raw,
        headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
        nowMilliseconds: now(),
      });
    } catch {
      return res.status(401).send({ error: 'bad Slack signature' });
    }
    if (opts.firstDelivery) {
      // The signature covers timestamp and body; past the skew window the timestamp check refuses it.
      const first = await opts.firstDelivery(signature, 2 * MAX_SKEW_SEC).catch((err: unknown) => {
        logger.warn({ err: (err as Error).message }, 'slack replay check unavailable; handling anyway');
        return true;
      });
      if (!first) {
        logger.warn({ timestamp }, 'slack request replayed; ignored');
        return res.status(200).send('');
      }
    }

    let body: Record<string, unknown>;
    try {
      body = parseBody(raw, form);
    } catch (err) {
      return res.status(400).send({ error: 'invalid Slack payload', details: [{ path: '(body)', message: (err as Error).message }] });
    }
    if (body.type === 'url_verification') return res.status(200).send({ challenge: body.challenge });
    if (!app) return res.status(503).send({ error: 'Slack app not ready' });

    let resolveAck!: (response: unknown) => void;
    const acked = new Promise<{ response: unknown }>((resolve) => {
      resolveAck = (response) => resolve({ response });
    });
    let isAcked = false;
    const event: ReceiverEvent = {
      body,
      retryNum: headerNumber(req.headers['x-slack-retry-num']),
      retryReason: typeof req.headers['x-slack-retry-reason'] === 'string' ? req.headers['x-slack-retry-reason'] : undefined,
      ack: async (response?: unknown) => {
        if (isAcked) return;
        isAcked = true;
        resolveAck(response);
      },
    };
    const processing = app.processEvent(event).then(
      () => ({ done: true as const }),
      (err: unknown) => ({ done: true as const, err }),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<{ timeout: true }>((resolve) => {
      timer = setTimeout(() => resolve({ timeout: true }), ackTimeoutMs);
    });
    const first = await Promise.race([acked, processing, timeout]);
    clearTimeout(timer);
    if (!isAcked) {
      void processing.then((p) => {
        if ('err' in p) logger.error({ err: p.err }, 'slack listener failed');
      });
      if ('err' in first) {
        const authz = first.err instanceof AuthorizationError;
        if (!authz) logger.error({ err: first.err }, 'slack event processing failed before ack');
        return res.status(authz ? 401 : 500).send({ error: authz ? 'not authorized' : 'internal error' });
      }
      if ('timeout' in first) logger.warn({ type: body.type }, 'slack event not acknowledged in time');
      return res.status(404).send({ error: 'no listener for this Slack payload' });
    }
    void processing.then((p) => {
      if ('err' in p) logger.error({ err: p.err }, 'slack listener failed after ack');
    });
    const response = (await acked).response;
    if (response === undefined || response === null || response === '') return res.status(200).send('');
    return typeof response === 'string' ? res.status(200).type('text/plain').send(response) : res.status(200).send(response);
  }

  return {
    init(boltApp: App) {
      app = boltApp;
    },
    async start() {
      return undefined;
    },
    async stop() {
      return undefined;
    },
    plugin(scope: FastifyInstance) {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded'], { parseAs: 'string' }, (_req, body, done) =>
        done(null, body),
      );
      scope.post(path, handle);
    },
  };
}

function parseBody(raw: string, form: boolean): Record<string, unknown> {
  if (!form) return asObject(JSON.parse(raw));
  const fields = parseQuery(raw);
  if (typeof fields.payload === 'string') return asObject(JSON.parse(fields.payload));
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected a JSON object');
  return value as Record<string, unknown>;
}

function headerNumber(value: string | string[] | undefined): number | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  const n = Number.parseInt(first, 10);
  return Number.isNaN(n) ? undefined : n;
}
