/** Small interfaces the Kubernetes core depends on, so callers can pass pino and prom-client. */

/** The subset of a pino logger the core uses. */
export interface KubeLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Optional metric hooks; wire them to prom-client counters/histograms/gauges. */
export interface KubeMetrics {
  /** An informer stopped on an error and was restarted. */
  informerRestart?(informer: string): void;
  /** One watch/list event applied to the cache. */
  cacheEvent?(kind: string, verb: 'add' | 'update' | 'delete'): void;
  /** One reconcile finished: `ok`, `error` (retried) or `terminal` (dropped). */
  reconcile?(controller: string, result: 'ok' | 'error' | 'terminal', seconds: number): void;
  /** Queue depth after a change. */
  queueDepth?(controller: string, depth: number): void;
  /** Leadership changed (1 leading, 0 not). */
  leader?(leading: boolean): void;
  /** Alerts handed to the sink. */
  alertsEmitted?(alertname: string, count: number): void;
}
