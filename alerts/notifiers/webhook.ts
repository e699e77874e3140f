import { request } from 'undici';
import { TerminalError } from '../../core/errors.ts';
import { redactText } from '../../core/redact.ts';
import { RetryableError, type Notifier } from './types.ts';

/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const s = Number(header);
  if (Number.isFinite(s) && s >= 0) return Math.round(s * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/**
 * Generic outgoing webhook: POSTs `{version, action, previous, notification}` as JSON to the
 * destination's `url` (with its `headers`). `action` is `create` first and `update` afterwards,
 * with the id the receiver answered (`{"id": …}`) the first time; `Idempotency-Key` is the
 * notification id. 429 and 5xx are retryable
 * (honouring Retry-After), other 4xx are terminal. Sent with undici's `request` (kept-alive
 * connections per origin) rather than `fetch`, which costs several times the CPU per call.
 */
export function createWebhookNotifier(opts: { timeoutMs: number }): Notifier {
  return {
    kind: 'webhook',
    async send(destination, notification, previous) {
      const url = String(destination.url);
      const shown = redactText(url);
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'firstmate',
        // One key per decision: a delivery retried after a crash can be recognised by the receiver.
        'idempotency-key': notification.id,
        ...(destination.headers as Record<string, string> | undefined),
      };
      const body = JSON.stringify({ version: '1', action: previous ? 'update' : 'create', previous: previous ?? null, notification });
      let status: number;
      let text: string;
      let retryAfter: string | null = null;
      try {
        const res = await request(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(opts.timeoutMs) });
        status = res.statusCode;
        const header = res.headers['retry-after'];
        retryAfter = (Array.isArray(header) ? header[0] : header) ?? null;
        text = await res.body.text().catch(() => '');
      } catch (err) {
        throw new RetryableError(`webhook ${shown} unreachable: ${(err as Error).message}`, undefined, { cause: err });
      }
      if (status === 429 || status >= 500) throw new RetryableError(`webhook ${shown} answered ${status}`, retryAfterMs(retryAfter));
      if (status >= 400) throw new TerminalError(`webhook ${shown} answered ${status}: ${text.slice(0, 200)}`);
      let id = previous?.id ?? notification.incidentId;
      try {
        const parsed = JSON.parse(text) as { id?: unknown };
        if (typeof parsed.id === 'string' || typeof parsed.id === 'number') id = String(parsed.id);
      } catch {
        // A body that is not JSON carries no id; the incident id stands in.
      }
      return { id, channel: url };
    },
  };
}
