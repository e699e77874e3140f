/**
 * Resolves what the user typed (a pod IP or `ns/name`; a node name or address) to exactly one
 * object: candidates come from the cache, the chosen one is read fresh from the API (uid,
 * resourceVersion, labels, owner) so the plan is pinned to that very object.
 */
import { isIP } from 'node:net';
import { UserError } from '../core/errors.ts';
import type { KubeCache } from '../kube/cache.ts';
import type { PodRecord } from '../kube/records.ts';
import { ApiError, nodePath, objectPath, podPath } from './api.ts';
import type { KObject, OpsApi } from './api.ts';
import type { ObjRef } from './types.ts';

const live = (p: PodRecord) => p.phase !== 'Succeeded' && p.phase !== 'Failed';

/** The one pod `query` names, read fresh; a `UserError` saying what matched otherwise. */
export async function resolvePod(cache: KubeCache, api: OpsApi, query: string): Promise<KObject> {
  let candidates: PodRecord[];
  if (isIP(query)) {
    candidates = cache.podsWithIP(query).filter((p) => live(p) && !p.hostNetwork);
    if (candidates.length === 0 && cache.nodesByAddr(query).length > 0)
      throw new UserError(`${query} is a node address, not a pod IP; node operations are \`cordon\`, \`uncordon\` and \`drain\`.`);
  } else {
    const slash = query.indexOf('/');
    if (slash <= 0) throw new UserError(`give the pod as an IP or \`namespace/name\`, e.g. \`payments/mysql-0\``);
    const p = cache.pod(query.slice(0, slash), query.slice(slash + 1));
    candidates = p ? [p] : [];
  }
  if (candidates.length === 0) throw new UserError(`no pod matches ${query}.`);
  if (candidates.length > 1) {
    const names = candidates.map((p) => `${p.metadata.namespace}/${p.metadata.name} on ${p.nodeName || 'no node'}`);
    throw new UserError(`${query} matches ${candidates.length} pods (${names.join(', ')}); name one as \`namespace/name\`.`);
  }
  const c = candidates[0]!;
  const pod = await api.get(podPath(c.metadata.namespace, c.metadata.name));
  if (!pod) throw new UserError(`pod ${c.metadata.namespace}/${c.metadata.name} no longer exists.`);
  if (pod.metadata.deletionTimestamp) throw new UserError(`pod ${c.metadata.namespace}/${c.metadata.name} is already terminating.`);
  return pod;
}

/** The one node `query` names (name or any address), read fresh. */
export async function resolveNode(cache: KubeCache, api: OpsApi, query: string): Promise<KObject> {
  const rec = cache.node(query) ?? cache.node(query.toLowerCase());
  const byAddr = rec ? [rec] : cache.nodesByAddr(query);
  if (byAddr.length === 0) {
    const pod = isIP(query) ? cache.podsWithIP(query).find(live) : undefined;
    if (pod)
      throw new UserError(
        `${query} is the IP of pod ${pod.metadata.namespace}/${pod.metadata.name}, not of a node; it runs on ${pod.nodeName || 'no node'}.`,
      );
    throw new UserError(`no node matches ${query}.`);
  }
  if (byAddr.length > 1) throw new UserError(`${query} matches ${byAddr.map((n) => n.metadata.name).join(', ')}; give the node name.`);
  const node = await api.get(nodePath(byAddr[0]!.metadata.name));
  if (!node) throw new UserError(`node ${byAddr[0]!.metadata.name} no longer exists.`);
  return node;
}

const PLURALS: Record<string, string> = {
  StatefulSet: 'statefulsets',
  Deployment: 'deployments',
  ReplicaSet: 'replicasets',
  DaemonSet: 'daemonsets',
  Job: 'jobs',
};

/** The API reference of an object. */
export function refOf(obj: KObject, apiVersion: string, kind: string, plural: string): ObjRef {
  return {
    apiVersion,
    kind,
    plural,
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
    name: obj.metadata.name,
    uid: obj.metadata.uid,
  };
}

export const pathOf = (r: ObjRef): string => objectPath(r.apiVersion, r.plural, r.namespace, r.name);

/** The controller owning a pod (a ReplicaSet's Deployment when it has one), read fresh. */
export async function ownerOf(api: OpsApi, pod: KObject): Promise<{ ref: ObjRef; obj: KObject } | { none: string }> {
  const owner = pod.metadata.ownerReferences?.find((o) => o.controller);
  if (!owner) return { none: 'it has no controller (a bare pod): deleting it would lose it for good' };
  const plural = PLURALS[owner.kind];
  const ns = pod.metadata.namespace ?? '';
  if (!plural) return { none: `its controller is a ${owner.kind} (${owner.apiVersion}), which firstmate has no strategy for` };
  if (owner.kind === 'DaemonSet') return { none: 'it belongs to a DaemonSet: one pod per node, none can be removed alone' };
  if (owner.kind === 'Job') return { none: 'it belongs to a Job: deleting it makes the Job run it again or count it failed' };
  let obj: KObject | undefined;
  try {
    obj = await api.get(objectPath(owner.apiVersion, plural, ns, owner.name));
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) obj = undefined;
    else throw err;
  }
  if (!obj || obj.metadata.uid !== owner.uid) return { none: `its ${owner.kind} ${ns}/${owner.name} is gone` };
  if (owner.kind === 'ReplicaSet') {
    const dep = obj.metadata.ownerReferences?.find((o) => o.controller && o.kind === 'Deployment');
    if (dep) {
      const d = await api.get(objectPath(dep.apiVersion, 'deployments', ns, dep.name));
      if (d && d.metadata.uid === dep.uid) return { ref: refOf(d, dep.apiVersion, 'Deployment', 'deployments'), obj: d };
    }
  }
  return { ref: refOf(obj, owner.apiVersion, owner.kind, plural), obj };
}
