/**
 * Paginated list calls that skip the typed client's model deserialisation: for 150,000 pods the
 * generated `ObjectSerializer` costs more than the HTTP transfer itself, and the cache compacts
 * the objects anyway. Authentication and TLS come from the KubeConfig
 * (`applyToHTTPSOptions`: tokens, client certificates, exec and auth-provider plugins).
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ListPage } from './informer.ts';

/** A failed list call; `statusCode` 410 means the continue token expired. */
export class ListError extends Error {
  override name = 'ListError';
  constructor(
    message: string,
    readonly statusCode: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export type RawLister = (path: string, page: { limit: number; continueToken?: string }) => Promise<ListPage>;

export function createRawLister(kc: KubeConfig, timeoutMs = 60_000): RawLister {
  return async (path, page) => {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new ListError('no current cluster in the kubeconfig', 0);
    const url = new URL(cluster.server.replace(/\/$/, '') + path);
    url.searchParams.set('limit', String(page.limit));
    if (page.continueToken) url.searchParams.set('continue', page.continueToken);
    const opts: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const body = await new Promise<string>((resolve, reject) => {
      const mod = url.protocol === 'https:' ? https : http;
      const req = mod.request(
        url,
        { ...opts, method: 'GET', headers: { ...opts.headers, Accept: 'application/json' }, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const code = res.statusCode ?? 0;
            if (code >= 200 && code < 300) return resolve(text);
            let message = text.slice(0, 300);
            try {
              message = (JSON.parse(text) as { message?: string }).message ?? message;
            } catch {
              // not a Status object: keep the raw text
            }
            reject(new ListError(`list ${path} answered ${code}: ${message}`, code));
          });
        },
      );
      req.on('timeout', () => req.destroy(new ListError(`list ${path} timed out`, 0)));
      req.on('error', (err) =>
        reject(err instanceof ListError ? err : new ListError(`list ${path} failed: ${err.message}`, 0, { cause: err })),
      );
      req.end();
    });
    const list = JSON.parse(body) as { items?: unknown[]; metadata?: { resourceVersion?: string; continue?: string } };
    const out: ListPage = { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? '' };
    if (list.metadata?.continue) out.continueToken = list.metadata.continue;
    return out;
  };
}
