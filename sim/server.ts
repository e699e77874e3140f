/**
 * The HTTP front of the simulated API server (node:http): discovery, list/get/create/update/
 * patch/delete (also `status`, `scale`, `binding`, `eviction` subresources), collection deletes
 * and watches, every error answered as a `Status` object. Authentication headers are ignored.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { deleteObject, deleteRequest } from './deletion.ts';
import type { Faults } from './faults.ts';
import { podLogText } from './pod-log.ts';
import type { Pod } from './types.ts';
import { apiGroup, apiGroupList, apiResourceList, apiVersionOf, apiVersions, VERSION_INFO } from './resources.ts';
import { parseResourcePath } from './route.ts';
import type { ResourceRoute } from './route.ts';
import { StatusError, badRequest, internalError, methodNotAllowed } from './status.ts';
import { asObject, handleSubresource } from './subresources.ts';
import type { NamedRoute } from './subresources.ts';
import type { Store } from './store.ts';
import { toTable, wantsTable } from './table.ts';
import { serveWatch } from './watch-stream.ts';
import type { WatchStreamOptions } from './watch-stream.ts';

const BODY_LIMIT = 16 * 1024 * 1024;

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, err: StatusError): void {
  send(res, err.code, err.status);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new StatusError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 16777216');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new StatusError(400, 'BadRequest', `the body of the request could not be decoded: ${(err as Error).message}`, undefined, {
      cause: err,
    });
  }
}

function listJson(route: ResourceRoute, result: ReturnType<Store['list']>): string {
  const metadata: Record<string, unknown> = { resourceVersion: result.resourceVersion };
  if (result.continue) metadata.continue = result.continue;
  if (result.remainingItemCount !== undefined) metadata.remainingItemCount = result.remainingItemCount;
  const head = JSON.stringify({ kind: `${route.def.kind}List`, apiVersion: apiVersionOf(route.def), metadata });
  const items = result.items.map((o) => JSON.stringify(o)).join(',');
  return `${head.slice(0, -1)},"items":[${items}]}`;
}

async function handleResource(
  req: IncomingMessage,
  res: ServerResponse,
  store: Store,
  faults: Faults,
  route: ResourceRoute,
  query: URLSearchParams,
  watchOptions: WatchStreamOptions,
): Promise<void> {
  const { def, namespace, name, subresource } = route;
  const method = req.method ?? 'GET';
  const isWatch = route.legacyWatch || query.get('watch') === 'true' || query.get('watch') === '1';
  const write = { dryRun: query.getAll('dryRun').includes('All') };
  if (name === undefined) {
    if (method === 'GET' && isWatch) return serveWatch(res, store, faults, def, namespace, query, watchOptions);
    if (method === 'GET') {
      const limit = Number(query.get('limit') ?? '0');
      const result = store.list(def.id, {
        namespace,
        labelSelector: query.get('labelSelector') ?? undefined,
        fieldSelector: query.get('fieldSelector') ?? undefined,
        limit: Number.isFinite(limit) ? limit : 0,
        continue: query.get('continue') ?? undefined,
      });
      if (wantsTable(req.headers.accept)) {
        const meta: Record<string, unknown> = { resourceVersion: result.resourceVersion };
        if (result.continue) meta.continue = result.continue;
        return send(res, 200, toTable(def, result.items, meta, query.get('includeObject')));
      }
      return send(res, 200, listJson(route, result));
    }
    if (method === 'POST') {
      const obj = asObject(await readBody(req));
      if (def.namespaced) {
        if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
          throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
        }
        obj.metadata.namespace = namespace ?? obj.metadata.namespace;
      }
      return send(res, 201, store.create(def.id, obj, write));
    }
    if (method === 'DELETE') {
      const request = deleteRequest(query, await readBody(req));
      const result = store.list(def.id, {
        namespace,
        labelSelector: query.get('labelSelector') ?? undefined,
        fieldSelector: query.get('fieldSelector') ?? undefined,
      });
      const items = result.items.map((o) => deleteObject(store, def.id, o.metadata.namespace, o.metadata.name!, request));
      return send(res, 200, {
        kind: `${def.kind}List`,
        apiVersion: apiVersionOf(def),
        metadata: { resourceVersion: String(store.resourceVersion()) },
        items,
      });
    }
    throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
  if (subresource === 'log') {
    if (method !== 'GET') throw methodNotAllowed('the server does not allow this method on the requested resource');
    const text = podLogText(store.read(def.id, namespace, name) as Pod, query);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  if (subresource === 'scale' || subresource === 'binding' || subresource === 'eviction') {
    const body = method === 'GET' ? undefined : await readBody(req);
    const answer = handleSubresource(store, route as NamedRoute, method, req.headers['content-type'] ?? '', body, query);
    return send(res, answer.code, answer.body);
  }
  switch (method) {
    case 'GET': {
      const obj = store.read(def.id, namespace, name);
      if (wantsTable(req.headers.accept) && !subresource)
        return send(res, 200, toTable(def, [obj], { resourceVersion: obj.metadata.resourceVersion }, query.get('includeObject')));
      return send(res, 200, obj);
    }
    case 'PUT': {
      const obj = asObject(await readBody(req));
      if (obj.metadata.name !== name)
        throw badRequest(`the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${name})`);
      if (def.namespaced) obj.metadata.namespace = namespace;
      return send(res, 200, store.update(def.id, obj, subresource, write));
    }
    case 'PATCH':
      return send(
        res,
        200,
        store.patch(def.id, namespace, name, req.headers['content-type'] ?? '', await readBody(req), subresource, write),
      );
    case 'DELETE':
      return send(res, 200, deleteObject(store, def.id, namespace, name, deleteRequest(query, await readBody(req))));
    default:
      throw methodNotAllowed('the server does not allow this method on the requested resource');
  }
}

function discovery(pathname: string, host: string): unknown {
  const parts = pathname.split('/').filter((p) => p !== '');
  if (pathname === '/version' || pathname === '/version/') return VERSION_INFO;
  if (parts.length === 1 && parts[0] === 'api') return apiVersions(host);
  if (parts.length === 1 && parts[0] === 'apis') return apiGroupList();
  if (parts.length === 2 && parts[0] === 'api') return apiResourceList('', parts[1]!);
  if (parts.length === 2 && parts[0] === 'apis') return apiGroup(parts[1]!);
  if (parts.length === 3 && parts[0] === 'apis') return apiResourceList(parts[1]!, parts[2]!);
  return undefined;
}

/** Creates the (not yet listening) HTTP server for a store. */
export function createSimServer(store: Store, faults: Faults, watchOptions: WatchStreamOptions): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim.local');
    const pathname = url.pathname;
    const run = async (): Promise<void> => {
      if (['/healthz', '/livez', '/readyz'].includes(pathname)) {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok');
        return;
      }
      const route = parseResourcePath(pathname);
      const isWatch = Boolean(route?.legacyWatch) || url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
      const failure = faults.check(pathname, isWatch);
      if (failure !== undefined)
        throw new StatusError(failure, failure === 500 ? 'InternalError' : 'ServiceUnavailable', `injected failure ${failure}`);
      if (route) return handleResource(req, res, store, faults, route, url.searchParams, watchOptions);
      if (req.method === 'GET') {
        const doc = discovery(pathname, req.headers.host ?? '127.0.0.1');
        if (doc) return send(res, 200, doc);
      }
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    };
    run().catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(res, err instanceof StatusError ? err : internalError((err as Error).message ?? String(err)));
    });
  });
}
