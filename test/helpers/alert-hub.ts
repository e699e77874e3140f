import type { ConfigInput } from '../../app/config-schema.ts';
import { createHttpServer } from '../../app/http-server.ts';
import type { MessageRef, Notification, Notifier } from '../../alerts/notifiers/types.ts';
import type { DecisionEvent } from '../../alerts/pipeline/types.ts';
import { createTestDeps } from './deps.ts';
import { sleep, waitFor } from './wait.ts';

export interface Captured {
  notification: Notification;
  previous?: MessageRef;
  destination: Record<string, unknown>;
  at: number;
}

/** A notifier that records what it is asked to send and answers a stable message id per incident. */
export function capturingNotifier(kind = 'console'): Notifier & { sent: Captured[] } {
  const sent: Captured[] = [];
  return {
    kind,
    sent,
    async send(destination, notification, previous) {
      sent.push({ notification, previous, destination, at: Date.now() });
      return previous ?? { id: `msg-${notification.incidentId}`, channel: String(destination.channel ?? kind) };
    },
  };
}

/**
 * A running hub for a test: real deps with a fresh prefix, the real HTTP server with the intake
 * and API routes on port 0, the pipeline workers, a capturing console notifier and every flush
 * decision (`decisions`), so a test that expects nothing to be sent waits for the decision.
 */
export async function startHub(input: ConfigInput = {}) {
  const decisions: DecisionEvent[] = [];
  const deps = await createTestDeps(
    {
      ...input,
      alerts: { ...input.alerts, workers: { sampleEvery: '0', lockDuration: '2s', stalledInterval: '1s', ...input.alerts?.workers } },
    },
    { onDecision: (e) => decisions.push(e) },
  );
  const capture = capturingNotifier();
  deps.alerts.notifiers.register(capture);
  const http = createHttpServer(deps, deps.alerts.httpPlugins);
  deps.lifecycle.add(http);
  await deps.lifecycle.start();
  const url = `http://127.0.0.1:${http.port()}`;
  return {
    deps,
    url,
    http,
    sent: capture.sent,
    decisions,
    /**
     * Waits for the `n`-th flush decision (1-based, counting all groups) from now on that
     * matches `pred`, and answers it.
     */
    async nextDecision(pred: (e: DecisionEvent) => boolean = () => true, n = 1, timeoutMs = 10_000): Promise<DecisionEvent> {
      const from = decisions.length;
      return waitFor(() => decisions.slice(from).filter(pred)[n - 1], 'a flush decision', timeoutMs);
    },
    /**
     * Waits until nothing is left to deliver: no notify job waits, runs or is delayed, and every
     * open group's notification log has an entry for each destination told and no delivery in
     * flight — the state in which later flushes decide "unchanged" (works with workers elsewhere).
     */
    async quiet(timeoutMs = 15_000): Promise<void> {
      const { keys, queues } = deps.alerts.pipeline;
      await waitFor(
        async () => {
          const c = await queues.notify.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
          if (Object.values(c).some((n) => n > 0)) return false;
          for (const gk of await deps.redis.smembers(keys.groups)) {
            const log = await deps.redis.hkeys(keys.nflog(gk));
            if (log.length === 0 || log.some((f) => f.startsWith('>'))) return false;
          }
          return true;
        },
        'every delivery done and logged',
        timeoutMs,
      );
    },
    async post(path: string, body: unknown, headers: Record<string, string> = {}) {
      const res = await fetch(url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { status: res.status, body: json as Record<string, unknown>, headers: res.headers };
    },
    /** Posts like a well-behaved sender: while the hub answers 503 (Redis unreachable), retries every 100 ms. */
    async postRetrying(path: string, body: unknown, headers: Record<string, string> = {}, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const res = await this.post(path, body, headers);
        if (res.status !== 503 || Date.now() > deadline) return res;
        await sleep(100);
      }
    },
    /** Stops the workers first, then removes every key under the test's prefix. */
    async stop() {
      await deps.stop();
    },
  };
}

export type Hub = Awaited<ReturnType<typeof startHub>>;

export { sleep, waitFor } from './wait.ts';

/** A generic-webhook alert. */
export function genericAlert(title: string, labels: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  return { title, severity: 'warning', labels, ...extra };
}
