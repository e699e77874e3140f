/**
 * Serves one watch request as the real API server does: HTTP 200 with newline-delimited JSON
 * events (ADDED/MODIFIED/DELETED, BOOKMARK when `allowWatchBookmarks=true`, the initial-events-end
 * bookmark for `sendInitialEvents=true`), an ERROR event carrying a 410 `Status` for a resource
 * version older than the history window, and a server-side timeout (`timeoutSeconds`).
 */
import type { ServerResponse } from 'node:http';
import type { Faults } from './faults.ts';
import { apiVersionOf } from './resources.ts';
import type { ResourceDef } from './resources.ts';
import { StatusError } from './status.ts';
import type { Store } from './store.ts';
import type { KubeObject } from './types.ts';

export interface WatchStreamOptions {
  bookmarkIntervalMs: number;
  /** Server-side limit when the client sends no `timeoutSeconds`. */
  defaultTimeoutSeconds: number;
}

const jsonCache = new WeakMap<KubeObject, string>();

function objectJson(obj: KubeObject): string {
  let text = jsonCache.get(obj);
  if (text === undefined) {
    text = JSON.stringify(obj);
    jsonCache.set(obj, text);
  }
  return text;
}

export function serveWatch(
  res: ServerResponse,
  store: Store,
  faults: Faults,
  def: ResourceDef,
  namespace: string | undefined,
  query: URLSearchParams,
  options: WatchStreamOptions,
): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  const timers: NodeJS.Timeout[] = [];
  let cancel: (() => void) | undefined;
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    for (const t of timers) clearTimeout(t);
    cancel?.();
    untrack();
    res.end();
  };
  res.on('close', end);
  const write = (line: string): void => {
    if (!ended) res.write(line);
  };
  const bookmark = (annotations?: Record<string, string>): void => {
    const metadata: Record<string, unknown> = { resourceVersion: String(store.resourceVersion()) };
    if (annotations) metadata.annotations = annotations;
    write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: def.kind, apiVersion: apiVersionOf(def), metadata } })}\n`);
  };
  const untrack = faults.trackWatch(end);
  try {
    cancel = store.watch(
      def.id,
      {
        namespace,
        labelSelector: query.get('labelSelector') ?? undefined,
        fieldSelector: query.get('fieldSelector') ?? undefined,
        resourceVersion: query.get('resourceVersion') ?? undefined,
      },
      (type, obj) => write(`{"type":"${type}","object":${objectJson(obj)}}\n`),
    );
  } catch (err) {
    if (err instanceof StatusError) {
      write(`${JSON.stringify({ type: 'ERROR', object: err.status })}\n`);
      end();
      return;
    }
    throw err;
  }
  const bookmarks = query.get('allowWatchBookmarks') === 'true' || query.get('allowWatchBookmarks') === '1';
  if (bookmarks && query.get('sendInitialEvents') === 'true') bookmark({ 'k8s.io/initial-events-end': 'true' });
  if (bookmarks) {
    const interval = setInterval(() => bookmark(), options.bookmarkIntervalMs);
    timers.push(interval);
  }
  const requested = Number(query.get('timeoutSeconds') ?? '');
  const seconds = Number.isFinite(requested) && requested > 0 ? requested : options.defaultTimeoutSeconds;
  timers.push(setTimeout(end, seconds * 1000));
}
