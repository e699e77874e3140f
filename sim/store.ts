/**
 * The object store behind the simulated API server: one bucket per resource type, a global
 * monotonically increasing resourceVersion, optimistic concurrency, generateName, a bounded watch
 * history per type, and synchronous change notification for watchers and behaviour drivers.
 * Stored objects are never mutated in place; readers get copies.
 */
import { systemClock } from './clock.ts';
import type { Clock } from './clock.ts';
import { createHistory } from './history.ts';
import type { History } from './history.ts';
import { createLister } from './list.ts';
import type { ListOptions, ListResult } from './list.ts';
import { applyPatch } from './patch.ts';
import { createRandom } from './random.ts';
import { RESOURCES, apiVersionOf, resourceById, resourceForObject } from './resources.ts';
import type { ResourceDef } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { StatusError, alreadyExists, badRequest, conflict, gone, invalid, notFound } from './status.ts';
import type { KubeObject, StoreEvent } from './types.ts';
import { validate } from './validation.ts';

export type { ListOptions, ListResult } from './list.ts';

/** Where a watch starts and what it sees. */
export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Unset or "0": current state as ADDED events first; otherwise changes after this version. */
  resourceVersion?: string;
}

/** `dryRun`: validate and answer as if written, but store nothing (`?dryRun=All`). */
export interface WriteOptions {
  dryRun?: boolean;
}

/** What a delete checks and how it ends. */
export interface DeleteOptions extends WriteOptions {
  /**
   * Graceful deletion when above 0: the object stays, with `deletionTimestamp` (now + grace) and
   * `deletionGracePeriodSeconds`, until someone deletes it for good (for pods: the kubelet). A
   * repeated graceful delete only ever shortens the grace. Unset or 0: removed at once.
   */
  gracePeriodSeconds?: number;
}

/** `DeleteOptions.preconditions`: the delete fails with 409 Conflict unless the object still has these. */
export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

export type WatchCallback = (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject) => void;

export interface StoreOptions {
  /** Seed for uids and generated names. */
  seed?: number;
  /** Changes kept per resource type for watch resumption. */
  historySize?: number;
  /** Time source for creationTimestamp (default: the wall clock). */
  clock?: Clock;
}

/** The in-memory object store. Resource ids as in `resources.ts` (`pods`, `statefulsets.apps.pingcap.com`). */
export interface Store {
  /** The latest resourceVersion. */
  resourceVersion(): number;
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** The stored object itself, not a copy: read only, for drivers scanning large clusters. */
  peek(resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Like `get`, but a 404 `StatusError` when missing. */
  read(resource: string, namespace: string | undefined, name: string): KubeObject;
  list(resource: string, options?: ListOptions): ListResult;
  create(resource: string, object: KubeObject, options?: WriteOptions): KubeObject;
  /** PUT semantics: 409 on a stale `metadata.resourceVersion`; `subresource` 'status' replaces only status. */
  update(resource: string, object: KubeObject, subresource?: string, options?: WriteOptions): KubeObject;
  patch(
    resource: string,
    namespace: string | undefined,
    name: string,
    contentType: string,
    body: unknown,
    subresource?: string,
    options?: WriteOptions,
  ): KubeObject;
  /** Reads, changes and writes back, retrying on conflicts; returns the stored result. */
  mutate(
    resource: string,
    namespace: string | undefined,
    name: string,
    change: (obj: KubeObject) => void,
    subresource?: string,
  ): KubeObject;
  delete(resource: string, namespace: string | undefined, name: string, preconditions?: Preconditions, options?: DeleteOptions): KubeObject;
  /** Inserts objects (any served kinds) without change history, taking ownership of them (no copy); for building clusters fast. */
  load(objects: Iterable<KubeObject>): void;
  watch(resource: string, options: WatchOptions, callback: WatchCallback): () => void;
  /** Every change of every type, synchronously after it is stored. */
  subscribe(listener: (event: StoreEvent) => void): () => void;
  /** Stored objects of a type without copying (read only!), for drivers scanning large clusters. */
  scan(resource: string): Iterable<KubeObject>;
}

interface Bucket {
  def: ResourceDef;
  objects: Map<string, KubeObject>;
  history: History;
  watchers: Set<(event: StoreEvent) => void>;
}

function keyOf(def: ResourceDef, namespace: string | undefined, name: string): string {
  return def.namespaced ? `${namespace ?? ''}/${name}` : name;
}

/** Once set, `deletionTimestamp` and `deletionGracePeriodSeconds` change only through delete, as on the real server. */
function keepDeletion(next: KubeObject['metadata'], old: KubeObject['metadata']): void {
  if (old.deletionTimestamp === undefined) {
    delete next.deletionTimestamp;
    delete next.deletionGracePeriodSeconds;
    return;
  }
  next.deletionTimestamp = old.deletionTimestamp;
  if (old.deletionGracePeriodSeconds !== undefined) next.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
}

function checkPreconditions(def: ResourceDef, obj: KubeObject, pre: Preconditions | undefined): void {
  const failed = (field: string, wanted: string, actual: string | undefined): StatusError =>
    new StatusError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${def.group ? `${def.plural}.${def.group}` : def.plural} "${obj.metadata.name}": Precondition failed: ${field} in precondition: ${wanted}, ${field} in object meta: ${actual ?? ''}`,
      { name: obj.metadata.name, group: def.group || undefined, kind: def.plural },
    );
  if (pre?.uid && pre.uid !== obj.metadata.uid) throw failed('UID', pre.uid, obj.metadata.uid);
  if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion)
    throw failed('ResourceVersion', pre.resourceVersion, obj.metadata.resourceVersion);
}

export function createStore(options: StoreOptions = {}): Store {
  const random = createRandom(options.seed ?? Date.now());
  const historySize = options.historySize ?? 10_000;
  const clock = options.clock ?? systemClock;
  let rv = 1;
  const listeners = new Set<(event: StoreEvent) => void>();
  const buckets = new Map<string, Bucket>();
  for (const def of RESOURCES) {
    buckets.set(def.id, { def, objects: new Map(), history: createHistory(historySize), watchers: new Set() });
  }
  const bucket = (resource: string): Bucket => buckets.get(resourceById(resource).id)!;
  const lister = createLister(() => rv);

  function emit(b: Bucket, event: StoreEvent): void {
    b.history.push(event);
    for (const w of b.watchers) w(event);
    for (const l of listeners) l(event);
  }

  function checkNamespace(def: ResourceDef, namespace: string | undefined): void {
    if (!def.namespaced) return;
    if (!namespace) throw badRequest('the server could not find the requested resource: a namespace is required');
    if (!buckets.get('namespaces')!.objects.has(namespace)) throw notFound('namespaces', '', namespace);
  }

  function insert(b: Bucket, obj: KubeObject): void {
    const key = keyOf(b.def, obj.metadata.namespace, obj.metadata.name!);
    if (!b.objects.has(key)) lister.added(b.def.id, key);
    b.objects.set(key, obj);
  }

  const store: Store = {
    resourceVersion: () => rv,
    get(resource, namespace, name) {
      const b = bucket(resource);
      const obj = b.objects.get(keyOf(b.def, namespace, name));
      return obj ? structuredClone(obj) : undefined;
    },
    peek(resource, namespace, name) {
      const b = bucket(resource);
      return b.objects.get(keyOf(b.def, namespace, name));
    },
    read(resource, namespace, name) {
      const found = store.get(resource, namespace, name);
      if (!found) {
        const def = resourceById(resource);
        throw notFound(def.plural, def.group, name);
      }
      return found;
    },
    list(resource, opts = {}) {
      const b = bucket(resource);
      return lister.list(b.def, b.objects, opts);
    },
    create(resource, input, writeOptions) {
      const b = bucket(resource);
      const def = b.def;
      const obj = structuredClone(input);
      obj.metadata = obj.metadata ?? {};
      const meta = obj.metadata;
      if (!def.namespaced) delete meta.namespace;
      checkNamespace(def, meta.namespace);
      if (!meta.name && meta.generateName) {
        do meta.name = `${meta.generateName}${random.suffix(5)}`;
        while (b.objects.has(keyOf(def, meta.namespace, meta.name)));
      }
      if (!meta.name)
        throw invalid(def.kind, def.group, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
      validate(def, obj);
      if (b.objects.has(keyOf(def, meta.namespace, meta.name))) throw alreadyExists(def.plural, def.group, meta.name);
      if (writeOptions?.dryRun)
        return {
          ...obj,
          apiVersion: apiVersionOf(def),
          kind: def.kind,
          metadata: { ...meta, uid: random.uuid(), creationTimestamp: clock.iso() },
        };
      rv++;
      obj.apiVersion = apiVersionOf(def);
      obj.kind = def.kind;
      meta.uid = random.uuid();
      meta.resourceVersion = String(rv);
      meta.generation = 1;
      meta.creationTimestamp = clock.iso();
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
      insert(b, obj);
      emit(b, { type: 'ADDED', resource: def.id, rv, object: obj });
      return structuredClone(obj);
    },
    update(resource, input, subresource, writeOptions) {
      const b = bucket(resource);
      const def = b.def;
      const name = input.metadata?.name ?? '';
      const key = keyOf(def, input.metadata?.namespace, name);
      const old = b.objects.get(key);
      if (!old) throw notFound(def.plural, def.group, name);
      const wanted = input.metadata?.resourceVersion;
      if (wanted !== undefined && wanted !== '' && wanted !== old.metadata.resourceVersion) throw conflict(def.plural, def.group, name);
      let next: KubeObject;
      if (subresource === 'status') {
        next = { ...structuredClone(old), status: structuredClone(input.status) };
      } else {
        next = structuredClone(input);
        if (def.subresources.includes('status')) next.status = structuredClone(old.status);
        validate(def, next);
      }
      next.apiVersion = apiVersionOf(def);
      next.kind = def.kind;
      next.metadata = {
        ...next.metadata,
        name: old.metadata.name,
        uid: old.metadata.uid,
        creationTimestamp: old.metadata.creationTimestamp,
        generation: old.metadata.generation,
      };
      keepDeletion(next.metadata, old.metadata);
      if (def.namespaced) next.metadata.namespace = old.metadata.namespace;
      else delete next.metadata.namespace;
      const specChanged = JSON.stringify(next.spec) !== JSON.stringify(old.spec);
      next.metadata.resourceVersion = old.metadata.resourceVersion;
      if (JSON.stringify(next) === JSON.stringify(old)) return structuredClone(old);
      if (specChanged && subresource !== 'status') next.metadata.generation = (old.metadata.generation ?? 1) + 1;
      if (writeOptions?.dryRun) return next;
      rv++;
      next.metadata.resourceVersion = String(rv);
      insert(b, next);
      emit(b, { type: 'MODIFIED', resource: def.id, rv, object: next, old });
      return structuredClone(next);
    },
    patch(resource, namespace, name, contentType, body, subresource, writeOptions) {
      const b = bucket(resource);
      const old = b.objects.get(keyOf(b.def, namespace, name));
      if (!old) throw notFound(b.def.plural, b.def.group, name);
      const patched = applyPatch(contentType, old, body) as KubeObject;
      if (!patched || typeof patched !== 'object' || typeof patched.metadata !== 'object' || patched.metadata === null) {
        throw badRequest('patch removed the object metadata');
      }
      if (patched.metadata.name !== name)
        throw badRequest(`the name of the object (${String(patched.metadata.name)}) does not match the name on the URL (${name})`);
      return store.update(resource, patched, subresource, writeOptions);
    },
    mutate(resource, namespace, name, change, subresource) {
      for (let attempt = 0; ; attempt++) {
        const obj = store.read(resource, namespace, name);
        change(obj);
        try {
          return store.update(resource, obj, subresource);
        } catch (err) {
          if (attempt >= 5 || (err as { code?: number }).code !== 409) throw err;
        }
      }
    },
    delete(resource, namespace, name, preconditions, deleteOptions) {
      const b = bucket(resource);
      const def = b.def;
      const key = keyOf(def, namespace, name);
      const old = b.objects.get(key);
      if (!old) throw notFound(def.plural, def.group, name);
      checkPreconditions(def, old, preconditions);
      const grace = deleteOptions?.gracePeriodSeconds ?? 0;
      if (grace > 0) {
        const current = old.metadata.deletionGracePeriodSeconds;
        if (old.metadata.deletionTimestamp && current !== undefined && current <= grace) return structuredClone(old);
        const next: KubeObject = { ...old, metadata: { ...old.metadata } };
        next.metadata.deletionTimestamp = new Date(clock.now() + grace * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
        next.metadata.deletionGracePeriodSeconds = grace;
        next.metadata.generation = (old.metadata.generation ?? 1) + 1;
        if (deleteOptions?.dryRun) return structuredClone(next);
        rv++;
        next.metadata.resourceVersion = String(rv);
        insert(b, next);
        emit(b, { type: 'MODIFIED', resource: def.id, rv, object: next, old });
        return structuredClone(next);
      }
      if (deleteOptions?.dryRun) return structuredClone(old);
      if (def.id === 'namespaces') {
        for (const other of buckets.values()) {
          if (!other.def.namespaced) continue;
          for (const obj of [...other.objects.values()]) {
            if (obj.metadata.namespace === name) store.delete(other.def.id, name, obj.metadata.name!);
          }
        }
      }
      b.objects.delete(key);
      lister.removed(def.id, key);
      rv++;
      const gone = { ...old, metadata: { ...old.metadata, resourceVersion: String(rv) } };
      emit(b, { type: 'DELETED', resource: def.id, rv, object: gone, old });
      return structuredClone(gone);
    },
    load(objects) {
      for (const input of objects) {
        const def = resourceForObject(input);
        const b = buckets.get(def.id)!;
        const obj = input;
        const meta = obj.metadata;
        if (def.namespaced) checkNamespace(def, meta.namespace);
        if (!meta.name) throw invalid(def.kind, def.group, '', [{ field: 'metadata.name', message: 'Required value' }]);
        if (b.objects.has(keyOf(def, meta.namespace, meta.name))) throw alreadyExists(def.plural, def.group, meta.name);
        rv++;
        meta.uid = meta.uid ?? random.uuid();
        meta.resourceVersion = String(rv);
        meta.generation = meta.generation ?? 1;
        meta.creationTimestamp = meta.creationTimestamp ?? clock.iso();
        insert(b, obj);
      }
      for (const b of buckets.values()) b.history.compactTo(rv);
    },
    watch(resource, opts, callback) {
      const b = bucket(resource);
      const def = b.def;
      const labels = parseLabelSelector(opts.labelSelector);
      const fields = parseFieldSelector(opts.fieldSelector, def.fields, def.kind);
      const matches = (o: KubeObject): boolean => (!opts.namespace || o.metadata.namespace === opts.namespace) && labels(o) && fields(o);
      const deliver = (e: StoreEvent): void => {
        const now = matches(e.object);
        if (e.type !== 'MODIFIED') {
          if (now) callback(e.type, e.object);
          return;
        }
        const before = e.old ? matches(e.old) : false;
        if (now && before) callback('MODIFIED', e.object);
        else if (now) callback('ADDED', e.object);
        else if (before) callback('DELETED', e.object);
      };
      const from = opts.resourceVersion;
      if (!from || from === '0') {
        for (const o of b.objects.values()) if (matches(o)) callback('ADDED', o);
      } else {
        const since = Number(from);
        if (!Number.isInteger(since) || since < 0) throw badRequest(`invalid resource version: ${from}`);
        const compacted = b.history.compactedRv();
        if (since < compacted) throw gone(`too old resource version: ${since} (${compacted + 1})`);
        for (const e of b.history.since(since)) deliver(e);
      }
      b.watchers.add(deliver);
      return () => {
        b.watchers.delete(deliver);
      };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    scan(resource) {
      return bucket(resource).objects.values();
    },
  };
  return store;
}
