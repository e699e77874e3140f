/**
 * Lists with `limit`/`continue` pagination over a consistent snapshot: the first page of a
 * paginated list freezes the (sorted) set of objects, later pages read from that snapshot, so a
 * client sees one resourceVersion across pages like with the real server's etcd snapshot.
 * Snapshots expire (410 Gone for their continue tokens) after a while.
 */
import type { ResourceDef } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { badRequest, gone } from './status.ts';
import type { KubeObject } from './types.ts';

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

/** A page of a list: the items are the stored objects (read only). */
export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

interface Snapshot {
  rv: number;
  items: KubeObject[];
  at: number;
}

interface Token {
  v: string;
  rv: number;
  start: number;
  snap: string;
}

const SNAPSHOT_TTL_MS = 5 * 60_000;
const MAX_SNAPSHOTS = 64;

function lowerBound(keys: string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function decodeToken(text: string): Token {
  try {
    const t = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Token;
    if (typeof t.rv === 'number' && typeof t.start === 'number' && typeof t.snap === 'string') return t;
  } catch {
    // fall through to the error below
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

export function createLister(currentRv: () => number) {
  const sorted = new Map<string, string[]>();
  const snapshots = new Map<string, Snapshot>();
  let snapSeq = 0;

  function sortedKeys(def: ResourceDef, objects: Map<string, KubeObject>): string[] {
    let keys = sorted.get(def.id);
    if (!keys) {
      keys = [...objects.keys()].sort();
      sorted.set(def.id, keys);
    }
    return keys;
  }

  function expire(now: number): void {
    for (const [id, s] of snapshots) if (now - s.at > SNAPSHOT_TTL_MS) snapshots.delete(id);
    while (snapshots.size > MAX_SNAPSHOTS) snapshots.delete(snapshots.keys().next().value!);
  }

  return {
    /** Keeps the sorted key list of a type current (cheaper than re-sorting large types). */
    added(id: string, key: string): void {
      const keys = sorted.get(id);
      if (!keys) return;
      const at = lowerBound(keys, key);
      if (keys[at] !== key) keys.splice(at, 0, key);
    },
    removed(id: string, key: string): void {
      const keys = sorted.get(id);
      if (!keys) return;
      const at = lowerBound(keys, key);
      if (keys[at] === key) keys.splice(at, 1);
    },
    list(def: ResourceDef, objects: Map<string, KubeObject>, opts: ListOptions): ListResult {
      const labels = parseLabelSelector(opts.labelSelector);
      const fields = parseFieldSelector(opts.fieldSelector, def.fields, def.kind);
      const filtered = Boolean(opts.labelSelector || opts.fieldSelector);
      const limit = opts.limit && opts.limit > 0 ? Math.floor(opts.limit) : 0;
      const now = Date.now();
      expire(now);
      let snap: Snapshot;
      let snapId: string;
      let start = 0;
      if (opts.continue) {
        const token = decodeToken(opts.continue);
        const found = snapshots.get(token.snap);
        if (!found) {
          throw gone(
            'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
          );
        }
        snap = found;
        snapId = token.snap;
        start = token.start;
      } else {
        let keys = sortedKeys(def, objects);
        if (def.namespaced && opts.namespace) {
          keys = keys.slice(lowerBound(keys, `${opts.namespace}/`), lowerBound(keys, `${opts.namespace}/\uffff`));
        }
        snap = { rv: currentRv(), items: keys.map((k) => objects.get(k)!), at: now };
        snapId = '';
        if (!limit) {
          const items = filtered ? snap.items.filter((o) => labels(o) && fields(o)) : snap.items;
          return { items, resourceVersion: String(snap.rv) };
        }
      }
      const items: KubeObject[] = [];
      let i = start;
      for (; i < snap.items.length && items.length < limit; i++) {
        const o = snap.items[i]!;
        if (labels(o) && fields(o)) items.push(o);
      }
      const result: ListResult = { items, resourceVersion: String(snap.rv) };
      if (i < snap.items.length) {
        if (!snapId) {
          snapId = `${snap.rv}-${++snapSeq}`;
          snapshots.set(snapId, snap);
        }
        const token: Token = { v: 'meta.k8s.io/v1', rv: snap.rv, start: i, snap: snapId };
        result.continue = Buffer.from(JSON.stringify(token)).toString('base64url');
        if (!filtered) result.remainingItemCount = snap.items.length - i;
      } else if (snapId) {
        snapshots.delete(snapId);
      }
      return result;
    },
  };
}
