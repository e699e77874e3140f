import type { Component } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';

/** Intake totals since start, as `createIntakeStats` counts them. */
export interface IntakeTotals {
  /** Deliveries answered 202, and the alerts (or events) they held. */
  deliveries: number;
  alerts: number;
  /** Deliveries refused, by HTTP status. */
  refused: Record<string, number>;
  /** Group-commit writes and how many failed. */
  writes: number;
  failedWrites: number;
}

/** Counters the intake routes bump per request: plain numbers, no log line, no allocation. */
export function createIntakeStats() {
  const totals = { deliveries: 0, alerts: 0, refused: {} as Record<string, number> };
  return {
    accepted(alerts: number): void {
      totals.deliveries++;
      totals.alerts += alerts;
    },
    refused(status: number): void {
      totals.refused[status] = (totals.refused[status] ?? 0) + 1;
    },
    totals: () => ({ deliveries: totals.deliveries, alerts: totals.alerts, refused: { ...totals.refused } }),
  };
}

export type IntakeStats = ReturnType<typeof createIntakeStats>;

/**
 * Logs one info line per period with what intake did since the last one (nothing when it was
 * idle): intake logs no line per request, so this is where its activity shows in the log.
 */
export function createIntakeSummary(o: { logger: Logger; everyMs: number; read(): IntakeTotals }): Component {
  let timer: NodeJS.Timeout | undefined;
  let last = o.read();
  const report = () => {
    const now = o.read();
    const refused: Record<string, number> = {};
    for (const [status, n] of Object.entries(now.refused)) {
      const d = n - (last.refused[status] ?? 0);
      if (d > 0) refused[status] = d;
    }
    const deliveries = now.deliveries - last.deliveries;
    const writes = now.writes - last.writes;
    if (deliveries > 0 || writes > 0 || Object.keys(refused).length > 0) {
      o.logger.info(
        {
          seconds: Math.round(o.everyMs / 1000),
          deliveries,
          alerts: now.alerts - last.alerts,
          writes,
          failedWrites: now.failedWrites - last.failedWrites,
          refused,
        },
        'intake summary',
      );
    }
    last = now;
  };
  return {
    name: 'intake-summary',
    async start() {
      last = o.read();
      if (o.everyMs > 0) {
        timer = setInterval(report, o.everyMs);
        timer.unref();
      }
    },
    async stop() {
      if (timer) clearInterval(timer);
      report();
    },
  };
}
