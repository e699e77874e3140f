/**
 * Shared lookups of the `host`, `pod` and `pods` commands: find the runtime in the services and
 * resolve what the user typed (a node name, a node or pod IP, `ns/name`) against the cache.
 * Everything is answered from memory; "not found" is a `UserError` with a hint.
 */
import { isIP } from 'node:net';
import { UserError } from '../core/errors.ts';
import type { KubeCache } from '../kube/cache.ts';
import type { NodeRecord, PodRecord } from '../kube/records.ts';
import type { KubeRuntime } from '../kube/runtime.ts';
import type { CommandContext } from './types.ts';

/** The Kubernetes runtime from the services, or a clear error when the bot has no cluster. */
/** How long a query made while the cache is still loading waits for it (start-up, a piped script). */
const SYNC_WAIT_MS = 10_000;

export async function kubeOf(ctx: CommandContext): Promise<KubeRuntime> {
  const kube = ctx.services.kube;
  if (!kube) throw new UserError('no Kubernetes cluster is configured for this bot');
  if (!kube.synced()) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      kube.waitForSync(),
      new Promise((r) => {
        timer = setTimeout(r, SYNC_WAIT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    if (!kube.synced()) throw new UserError('still loading the cluster state; try again in a few seconds');
  }
  return kube;
}

export function argOf(ctx: CommandContext, usage: string): string {
  const arg = ctx.args[0]?.trim();
  if (!arg) throw new UserError(`missing what to look up: \`${usage}\``);
  if (arg.length > 253) throw new UserError(`"${arg.slice(0, 40)}…" is too long to be a node, pod or IP (at most 253 characters)`);
  return arg;
}

/** A node by name or by any of its addresses (InternalIP, ExternalIP, Hostname). */
export function findNode(cache: KubeCache, query: string): NodeRecord | undefined {
  return cache.node(query) ?? cache.nodesByAddr(query)[0] ?? cache.node(query.toLowerCase());
}

export function requireNode(cache: KubeCache, query: string): NodeRecord {
  const node = findNode(cache, query);
  if (node) return node;
  if (isIP(query)) {
    const pod = cache.podsWithIP(query)[0];
    if (pod)
      throw new UserError(
        `${query} is not a node address; it is the IP of pod ${pod.metadata.namespace}/${pod.metadata.name} on ${pod.nodeName || 'no node yet'}. Try \`pod ${query}\`.`,
      );
    throw new UserError(`no node or pod has the address ${query}. Check the IP, or try \`host <node name>\`.`);
  }
  throw new UserError(`no node named ${query}. Try its IP (\`host 10.0.0.12\`) or \`pods <node>\`.`);
}

/** Pods matching an IP, `ns/name`, or a bare pod name (searched in every namespace). */
export function findPods(cache: KubeCache, query: string): PodRecord[] {
  if (isIP(query)) return cache.podsWithIP(query);
  const slash = query.indexOf('/');
  if (slash > 0) {
    const pod = cache.pod(query.slice(0, slash), query.slice(slash + 1));
    return pod ? [pod] : [];
  }
  const out: PodRecord[] = [];
  for (const p of cache.pods()) if (p.metadata.name === query) out.push(p);
  return out;
}

export function requirePod(cache: KubeCache, query: string): { pod: PodRecord; others: PodRecord[] } {
  const found = findPods(cache, query);
  const [pod, ...others] = found;
  if (pod) return { pod, others };
  if (isIP(query) && findNode(cache, query))
    throw new UserError(`${query} is a node address, not a pod IP. Try \`host ${query}\` or \`pods ${query}\`.`);
  throw new UserError(`no pod matches ${query}. Give a pod IP or \`namespace/name\` (\`pod default/web-0\`).`);
}

/** Age like kubectl: 45s, 12m, 5h, 3d. */
export function age(since: number, now = Date.now()): string {
  if (!since) return '?';
  const s = Math.max(0, Math.floor((now - since) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export const isActive = (p: PodRecord): boolean => p.phase !== 'Succeeded' && p.phase !== 'Failed';
