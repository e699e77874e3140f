/**
 * The few Kubernetes API calls operations make, as plain JSON over the KubeConfig's transport
 * (tokens, client certificates and exec plugins via `applyToHTTPSOptions`): read, merge-patch
 * with a resourceVersion precondition, delete with uid preconditions, evict, list. Every write
 * can be a server-side dry run (`dryRun=All`).
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** A refused or failed call; `code` is the HTTP status (0 when the server was not reached). */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly code: number,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** An API object as JSON. */
export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    resourceVersion: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
    deletionTimestamp?: string;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface WriteOptions {
  dryRun?: boolean;
}

/** What operations call on the cluster. */
export interface OpsApi {
  /** The object at `path`, or undefined on 404. */
  get(path: string): Promise<KObject | undefined>;
  list(path: string, query?: Record<string, string>): Promise<KObject[]>;
  /** JSON merge patch; put `metadata.resourceVersion` in the patch to make it conditional (409 when stale). */
  mergePatch(path: string, patch: object, opts?: WriteOptions): Promise<KObject>;
  /** Deletes only the object with this uid (409 when the name now belongs to another object). */
  delete(path: string, preconditions: { uid: string }, opts?: WriteOptions): Promise<void>;
  /** `POST pods/{name}/eviction`; 429 when a PodDisruptionBudget refuses. */
  evict(namespace: string, name: string, uid: string, opts?: WriteOptions): Promise<void>;
}

/** REST path of a namespaced or cluster-scoped object. */
export function objectPath(apiVersion: string, plural: string, namespace: string | undefined, name?: string): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

export const podPath = (namespace: string, name: string) => objectPath('v1', 'pods', namespace, name);
export const nodePath = (name: string) => objectPath('v1', 'nodes', undefined, name);

export function createOpsApi(kc: KubeConfig, timeoutMs = 30_000): OpsApi {
  const call = async (method: string, path: string, query: Record<string, string>, body?: unknown, contentType?: string) => {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new ApiError('no current cluster in the kubeconfig', 0, 'NoCluster');
    const url = new URL(cluster.server.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const opts: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<unknown>((resolve, reject) => {
      const mod = url.protocol === 'https:' ? https : http;
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (payload !== undefined) {
        headers['Content-Type'] = contentType ?? 'application/json';
        headers['Content-Length'] = String(Buffer.byteLength(payload));
      }
      const req = mod.request(url, { ...opts, method, headers: { ...opts.headers, ...headers }, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const code = res.statusCode ?? 0;
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          if (code >= 200 && code < 300) return resolve(parsed);
          const status = (parsed ?? {}) as { message?: string; reason?: string };
          reject(new ApiError(`${method} ${path}: ${code} ${status.message ?? text.slice(0, 200)}`, code, status.reason ?? ''));
        });
      });
      req.on('timeout', () => req.destroy(new ApiError(`${method} ${path} timed out`, 0, 'Timeout')));
      req.on('error', (err) =>
        reject(err instanceof ApiError ? err : new ApiError(`${method} ${path}: ${err.message}`, 0, 'Unreachable', { cause: err })),
      );
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  };
  const dry = (o?: WriteOptions): Record<string, string> => (o?.dryRun ? { dryRun: 'All' } : {});
  return {
    async get(path) {
      try {
        return (await call('GET', path, {})) as KObject;
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) return undefined;
        throw err;
      }
    },
    async list(path, query = {}) {
      const out = (await call('GET', path, query)) as { items?: KObject[] };
      return out.items ?? [];
    },
    async mergePatch(path, patch, opts) {
      return (await call('PATCH', path, dry(opts), patch, 'application/merge-patch+json')) as KObject;
    },
    async delete(path, preconditions, opts) {
      await call('DELETE', path, dry(opts), { apiVersion: 'v1', kind: 'DeleteOptions', preconditions });
    },
    async evict(namespace, name, uid, opts) {
      await call('POST', `${podPath(namespace, name)}/eviction`, dry(opts), {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name, namespace },
        deleteOptions: { preconditions: { uid }, ...(opts?.dryRun ? { dryRun: ['All'] } : {}) },
      });
    },
  };
}
