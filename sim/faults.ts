/**
 * Fault injection for the simulated API server, so tests can exercise informer restarts:
 * answer errors for a while, or drop every open watch at once.
 */

/** A rule making matching requests fail. */
export interface FailureRule {
  /** HTTP status to answer (default 500). */
  status?: number;
  /** How long the rule lasts (default: until `clear()`). */
  durationMs?: number;
  /** Fail only this many requests, then stop. */
  count?: number;
  /** Only requests whose path matches. */
  path?: RegExp;
  /** Only watch requests (true) or only non-watch requests (false). */
  watch?: boolean;
}

/** The fault switchboard of one simulated server. */
export interface Faults {
  /** Makes matching requests fail; returns a function that removes the rule. */
  failRequests(rule?: FailureRule): () => void;
  /** Ends every open watch stream as if the server closed it. */
  closeWatches(): number;
  /** Removes every failure rule. */
  clear(): void;
  /** Used by the server: the status to fail this request with, if any. */
  check(path: string, isWatch: boolean): number | undefined;
  /** Used by the server: registers an open watch's closer. */
  trackWatch(close: () => void): () => void;
}

interface ActiveRule {
  status: number;
  until: number;
  remaining: number;
  path?: RegExp;
  watch?: boolean;
}

export function createFaults(): Faults {
  const rules = new Set<ActiveRule>();
  const watches = new Set<() => void>();
  return {
    failRequests(rule = {}) {
      const active: ActiveRule = {
        status: rule.status ?? 500,
        until: rule.durationMs === undefined ? Infinity : Date.now() + rule.durationMs,
        remaining: rule.count ?? Infinity,
        path: rule.path,
        watch: rule.watch,
      };
      rules.add(active);
      return () => {
        rules.delete(active);
      };
    },
    closeWatches() {
      const all = [...watches];
      watches.clear();
      for (const close of all) close();
      return all.length;
    },
    clear() {
      rules.clear();
    },
    check(path, isWatch) {
      const now = Date.now();
      for (const r of rules) {
        if (now > r.until || r.remaining <= 0) {
          rules.delete(r);
          continue;
        }
        if (r.path && !r.path.test(path)) continue;
        if (r.watch !== undefined && r.watch !== isWatch) continue;
        r.remaining--;
        return r.status;
      }
      return undefined;
    },
    trackWatch(close) {
      watches.add(close);
      return () => {
        watches.delete(close);
      };
    },
  };
}
