import type { FastifyReply } from 'fastify';
import type { ErrorBody } from '../core/http.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { AlertsConfig } from './config-schema.ts';
import type { PipelineBacklogs } from './pipeline/index.ts';

/** Why a request is turned away before (or instead of) being stored. */
export interface Refusal {
  status: 429 | 503;
  retryAfterSeconds: number;
  error: string;
}

/** What admission needs from the pipeline. */
export interface AdmissionTarget {
  /** False while the pipeline's Redis connections are down (answered at once, no round trip). */
  available(): boolean;
  backlogs(): Promise<PipelineBacklogs>;
  /** Drops writes still held by the producer connection, so one that timed out cannot land later. */
  resetProducer(): void;
}

class TimedOut extends Error {
  override name = 'TimedOut';
}

/** How long a backlog reading decides admission (ms). */
const FRESH_MS = 100;

/** `work` or a `TimedOut` rejection after `ms`, whichever comes first. */
async function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(`no answer from Redis within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Intake's admission control, apart from parsing and storing so each stays small:
 * - `check()` before a delivery is parsed: 503 while Redis is unreachable (at once when the
 *   connection is known down, else after `limits.redisTimeout`), 429 when the ingest, flush or
 *   notify backlog is at its limit (`limits.backlog`, `flushBacklog`, `notifyBacklog`);
 * - `store(work)` around the durable write: 503 when it fails or does not finish in time. The
 *   write goes through the pipeline's fail-fast connection, so one answered 503 is never carried
 *   out later.
 * A reading of the backlogs decides the checks of the next 100 ms; each new reading also sets
 * `firstmate_pipeline_backlog{queue}` for `/metrics`.
 */
export function createIntakeAdmission(o: { limits: AlertsConfig['limits']; target: AdmissionTarget; metrics: Metrics; logger: Logger }) {
  const { limits } = o;
  const unavailable: Refusal = {
    status: 503,
    retryAfterSeconds: limits.retryAfterSeconds,
    error: 'the alert pipeline cannot reach Redis; retry later',
  };
  const limitOf: Record<keyof PipelineBacklogs, number> = {
    ingest: limits.backlog,
    flush: limits.flushBacklog,
    notify: limits.notifyBacklog,
  };
  for (const [queue, limit] of Object.entries(limitOf)) o.metrics.pipelineBacklogLimit.set({ queue }, limit);
  const queues = ['ingest', 'flush', 'notify'] as const;
  // The last reading: checks within FRESH_MS of it decide on it without asking again.
  let recent = { at: -Infinity, backlogs: { ingest: 0, flush: 0, notify: 0 } as PipelineBacklogs };

  return {
    async check(): Promise<Refusal | undefined> {
      if (!o.target.available()) return unavailable;
      let backlogs = recent.backlogs;
      if (Date.now() - recent.at > FRESH_MS) {
        try {
          backlogs = await within(o.target.backlogs(), limits.redisTimeout);
        } catch (err) {
          o.logger.warn({ err: (err as Error).message }, 'intake refused: Redis unavailable');
          return unavailable;
        }
        recent = { at: Date.now(), backlogs };
        for (const queue of queues) o.metrics.pipelineBacklog.set({ queue }, backlogs[queue]);
      }
      let over: keyof PipelineBacklogs | undefined;
      for (const queue of queues) if (!over && backlogs[queue] >= limitOf[queue]) over = queue;
      if (!over) return undefined;
      return {
        status: 429,
        retryAfterSeconds: limits.retryAfterSeconds,
        error: `the alert pipeline's ${over} backlog is over its limit (${backlogs[over]} ≥ ${limitOf[over]}); retry later`,
      };
    },
    /** Runs the durable write; a failure or an overrun becomes a 503 refusal instead of an error. */
    async store(work: () => Promise<void>): Promise<Refusal | undefined> {
      if (!o.target.available()) return unavailable;
      try {
        await within(work(), limits.redisTimeout);
        return undefined;
      } catch (err) {
        if (err instanceof TimedOut) o.target.resetProducer();
        o.logger.warn({ err: (err as Error).message }, 'intake refused: delivery could not be stored');
        return unavailable;
      }
    },
  };
}

export type IntakeAdmission = ReturnType<typeof createIntakeAdmission>;

/** Answers a refusal with its status, `Retry-After` and the uniform error body. */
export function sendRefusal(res: FastifyReply, refusal: Refusal): FastifyReply {
  return res
    .status(refusal.status)
    .header('retry-after', String(refusal.retryAfterSeconds))
    .send({ error: refusal.error } satisfies ErrorBody);
}
