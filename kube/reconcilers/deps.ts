/** What every reconciler gets: the cache, where alerts go, and the Redis-backed memories. */
import type { AlertSink, Alert } from '../../alerts/model.ts';
import type { KubeCache } from '../cache.ts';
import type { PodHistoryStore } from '../pod-history.ts';
import type { ReportLog } from '../report-log.ts';
import type { StormLedger } from '../storm-ledger.ts';
import type { StormOptions, StormState } from '../storm.ts';
import type { KubeLogger } from '../types.ts';

export interface ReconcilerDeps {
  cache: KubeCache;
  sink: AlertSink;
  reports: ReportLog;
  history: PodHistoryStore;
  /** Current NotReady-storm state, derived from the cache. */
  storm: () => StormState;
  stormOptions: StormOptions;
  /** What happened during each storm, for its summary. */
  ledger: StormLedger;
  notices: NoticeOptions;
  /** The tail of a container's log (`previous`: the instance before the current one); '' when unreadable. */
  podLog: (namespace: string, pod: string, container: string, opts: { previous: boolean; tailLines: number }) => Promise<string>;
  /** Cluster name put in every alert's `cluster` label. */
  cluster: string;
  logger: KubeLogger;
}

/** Tunables of the notices (from the `kube.notices` settings). */
export interface NoticeOptions {
  /** Migrations, OOM kills, evictions and Job failures resolve this long after they fired. */
  eventTtlMs: number;
  /** Namespaces whose workloads raise no notices. */
  ignoreNamespaces: ReadonlySet<string>;
  probeFailureThreshold: number;
  rolloutStuckMs: number;
  logTailLines: number;
}

export const defaultNoticeOptions: NoticeOptions = {
  eventTtlMs: 1_800_000,
  ignoreNamespaces: new Set(),
  probeFailureThreshold: 5,
  rolloutStuckMs: 600_000,
  logTailLines: 20,
};

/**
 * Emits an alert at least once per report id: emits unless the id is marked, then marks it. A
 * failure of the sink or of the mark propagates, so the key is retried and the alert emitted
 * again; the pipeline deduplicates repeats by fingerprint. Callers run one reconcile per key at a
 * time (the work queue), so one id is never emitted concurrently. Returns whether it emitted.
 */
export async function emitOnce(deps: ReconcilerDeps, id: string, alert: Alert | Alert[]): Promise<boolean> {
  if (await deps.reports.has(id)) return false;
  try {
    await deps.sink.emit(Array.isArray(alert) ? alert : [alert]);
  } catch (err) {
    throw new Error(`cannot hand the alert ${id} to the pipeline`, { cause: err });
  }
  await deps.reports.mark(id);
  return true;
}

/** Splits a `Kind/namespace/name` key. */
export function splitObjectKey(key: string): { kind: string; namespace: string; name: string } {
  const [kind = '', namespace = '', ...rest] = key.split('/');
  return { kind, namespace, name: rest.join('/') };
}

/** The id of the storm being reported (`storm:current`), else the one the cache sees. */
export async function openStormId(deps: ReconcilerDeps): Promise<string> {
  return (await deps.reports.get('storm:current'))?.split('|')[0] || deps.storm().id;
}

/** When an event-like notice (migration, OOM kill, eviction) resolves. */
export const eventEnd = (deps: ReconcilerDeps): number => Date.now() + deps.notices.eventTtlMs;
