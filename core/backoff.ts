/**
 * The one backoff formula: capped exponential with optional jitter. Informer restarts, work-queue
 * retries, notification retries and chat-platform reconnects all take their delays from here.
 */

/** Delay of the first retry and the cap every later one stays under (before jitter). */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /**
   * The delay is multiplied by a random factor in `[low, high]`; default `[0.5, 1]` (between half
   * and all of it, so that many clients failing together do not retry together). `[1, 1]` turns
   * jitter off.
   */
  jitter?: readonly [low: number, high: number];
}

/** Delay before retry number `attempt` (0-based): `baseMs · 2^attempt`, capped at `maxMs`, then jittered. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const raw = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(Math.max(0, attempt), 40));
  const [low, high] = options.jitter ?? [0.5, 1];
  if (low === 1 && high === 1) return raw;
  return Math.round(raw * (low + random() * (high - low)));
}
