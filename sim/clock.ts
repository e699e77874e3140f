/**
 * The time source of a simulated cluster. A cluster can be built "in the past" (an offset while
 * the controllers first create its pods), so a demo cluster's pods have realistic ages.
 */

export interface Clock {
  now(): number;
  /** RFC 3339 with second precision, as Kubernetes writes timestamps. */
  iso(): string;
}

export interface AdjustableClock extends Clock {
  /** Shifts the clock by `ms` (negative: the past) until set back to 0. */
  setOffset(ms: number): void;
}

export function createClock(): AdjustableClock {
  let offset = 0;
  const now = (): number => Date.now() + offset;
  return {
    now,
    iso: () => new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    setOffset(ms) {
      offset = ms;
    },
  };
}

/** The plain wall clock. */
export const systemClock: Clock = createClock();
