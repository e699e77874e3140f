/**
 * Group commit at intake. Input: deliveries (one webhook's alerts each). Output: one Redis write
 * per batch, applied to group state. While a write is in flight, deliveries that arrive meanwhile wait
 * and go out together in the next write once it returns and the I/O already read in that event
 * loop turn is handled (`setImmediate`), so requests read together with the acknowledgement join
 * it; there is no timer, so a lone delivery is written at once and a busy intake writes ever
 * larger batches. Each `submit`
 * resolves only once the write holding its delivery is acknowledged, and rejects when exactly
 * that write fails; other batches are unaffected.
 */
import type { Alert } from './model.ts';

/** One delivery as intake hands it over. */
export interface CommitDelivery {
  source: string;
  /** Epoch ms the delivery was accepted. */
  acceptedAt: number;
  alerts: Alert[];
}

/** What the group commit writes through: one durable write per batch. */
export type CommitWrite = (deliveries: CommitDelivery[]) => Promise<void>;

export interface GroupCommit {
  /** Resolves once the delivery is durably written; rejects with the error of its write. */
  submit(delivery: CommitDelivery): Promise<void>;
  /** Totals since start: writes done and deliveries/alerts they held (for the summary log line). */
  stats(): { writes: number; deliveries: number; alerts: number; failedWrites: number };
}

interface Waiting {
  delivery: CommitDelivery;
  resolve(): void;
  reject(err: unknown): void;
}

/** Builds the group commit over `write`; a batch holds at most `maxAlerts` alerts (at least one delivery). */
export function createGroupCommit(o: { write: CommitWrite; maxAlerts: number }): GroupCommit {
  let queue: Waiting[] = [];
  // True from the start of a write until the turn after it returned.
  let busy = false;
  const totals = { writes: 0, deliveries: 0, alerts: 0, failedWrites: 0 };

  const take = (): Waiting[] => {
    let alerts = 0;
    let n = 0;
    while (n < queue.length) {
      const size = queue[n]!.delivery.alerts.length;
      if (n > 0 && alerts + size > o.maxAlerts) break;
      alerts += size;
      n++;
    }
    const batch = n === queue.length ? queue : queue.slice(0, n);
    queue = n === queue.length ? [] : queue.slice(n);
    return batch;
  };

  const next = (): void => {
    if (busy || queue.length === 0) return;
    busy = true;
    const batch = take();
    let alerts = 0;
    for (const w of batch) alerts += w.delivery.alerts.length;
    o.write(batch.map((w) => w.delivery)).then(
      () => {
        totals.writes++;
        totals.deliveries += batch.length;
        totals.alerts += alerts;
        for (const w of batch) w.resolve();
        setImmediate(resume);
      },
      (err: unknown) => {
        totals.failedWrites++;
        for (const w of batch) w.reject(err);
        setImmediate(resume);
      },
    );
  };

  const resume = (): void => {
    busy = false;
    next();
  };

  return {
    submit(delivery) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ delivery, resolve, reject });
        next();
      });
    },
    stats: () => ({ ...totals }),
  };
}
