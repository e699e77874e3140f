/**
 * The subresources that are not the object itself: `scale` (autoscaling/v1 Scale of the
 * workloads), `pods/binding` (what a scheduler posts) and `pods/eviction` (the Eviction API).
 * Every write honours `dryRun=All`, from the query or from the body's `deleteOptions`.
 */
import { deleteRequest } from './deletion.ts';
import { evictPod } from './eviction.ts';
import { applyPatch } from './patch.ts';
import type { ResourceRoute } from './route.ts';
import { StatusError, badRequest, conflict, methodNotAllowed } from './status.ts';
import type { Store } from './store.ts';
import type { KubeObject } from './types.ts';

/** A route that names one object. */
export type NamedRoute = ResourceRoute & { name: string };

/** What to answer: HTTP status and body. */
export interface Answer {
  code: number;
  body: unknown;
}

/** The request body as an object with metadata; 400 otherwise. */
export function asObject(body: unknown): KubeObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the request body must be a JSON object');
  const obj = body as KubeObject;
  if (!obj.metadata || typeof obj.metadata !== 'object') obj.metadata = {};
  return obj;
}

function scaleOf(obj: KubeObject): Record<string, unknown> {
  const spec = obj.spec as { replicas?: number; selector?: { matchLabels?: Record<string, string> } } | undefined;
  const status = obj.status as { replicas?: number } | undefined;
  const selector = Object.entries(spec?.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: spec?.replicas ?? 1 },
    status: { replicas: status?.replicas ?? 0, selector },
  };
}

const SUCCESS = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };

function scale(store: Store, route: NamedRoute, method: string, contentType: string, body: unknown, dryRun: boolean): Answer {
  const { def, namespace, name } = route;
  const current = store.read(def.id, namespace, name);
  if (method === 'GET') return { code: 200, body: scaleOf(current) };
  if (method !== 'PUT' && method !== 'PATCH') throw methodNotAllowed('the server does not allow this method on the requested resource');
  const next = method === 'PUT' ? asObject(body) : (applyPatch(contentType, scaleOf(current), body) as KubeObject);
  const replicas = (next.spec as { replicas?: number } | undefined)?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)
    throw badRequest('spec.replicas must be a non-negative integer');
  const wanted = next.metadata?.resourceVersion;
  if (wanted && wanted !== current.metadata.resourceVersion) throw conflict(def.plural, def.group, name);
  (current.spec as { replicas?: number }).replicas = replicas;
  const updated = store.update(def.id, current, undefined, { dryRun });
  return { code: 200, body: scaleOf(updated) };
}

function bind(store: Store, route: NamedRoute, body: unknown, dryRun: boolean): Answer {
  const target = (asObject(body) as { target?: { name?: string } }).target?.name;
  if (!target) throw badRequest('binding target name is required');
  const pod = store.read(route.def.id, route.namespace, route.name);
  const spec = pod.spec as { nodeName?: string };
  if (spec.nodeName)
    throw new StatusError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on pods/binding "${route.name}": pod ${route.name} is already assigned to node "${spec.nodeName}"`,
    );
  spec.nodeName = target;
  store.update(route.def.id, pod, undefined, { dryRun });
  return { code: 201, body: SUCCESS };
}

function evict(store: Store, route: NamedRoute, body: unknown, query: URLSearchParams): Answer {
  const eviction = asObject(body) as KubeObject & { deleteOptions?: unknown };
  if (eviction.metadata.name && eviction.metadata.name !== route.name)
    throw badRequest(`name in URL does not match name in Eviction object`);
  evictPod(store, route.namespace!, route.name, deleteRequest(query, eviction.deleteOptions));
  return { code: 201, body: SUCCESS };
}

/** Answers a request to `scale`, `binding` or `eviction`. */
export function handleSubresource(
  store: Store,
  route: NamedRoute,
  method: string,
  contentType: string,
  body: unknown,
  query: URLSearchParams,
): Answer {
  const dryRun = query.getAll('dryRun').includes('All');
  if (route.subresource === 'scale') return scale(store, route, method, contentType, body, dryRun);
  if (method !== 'POST') throw methodNotAllowed('the server does not allow this method on the requested resource');
  if (route.subresource === 'binding') return bind(store, route, body, dryRun);
  return evict(store, route, body, query);
}
