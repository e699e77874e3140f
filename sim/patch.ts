/**
 * The three patch formats of the API server: JSON merge patch (RFC 7386), strategic merge patch
 * (merge keys of the core types the sim serves, `$patch` directives, null deletes) and JSON patch
 * (RFC 6902, applied by fast-json-patch).
 */
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { StatusError, badRequest, unsupportedMediaType } from './status.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** List fields merged by key in strategic merge patch (patchMergeKey of the upstream types). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  taints: 'key',
  conditions: 'type',
  ownerReferences: 'uid',
  imagePullSecrets: 'name',
  addresses: 'type',
  hostAliases: 'ip',
  containerStatuses: 'name',
};
/** Primitive lists merged as sets. */
const MERGE_PRIMITIVE = new Set(['finalizers']);

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386 merge patch. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function strategicList(field: string, target: Json | undefined, patch: Json[]): Json[] {
  const key = MERGE_KEYS[field];
  const current = Array.isArray(target) ? target : [];
  if (MERGE_PRIMITIVE.has(field)) return [...new Set([...current, ...patch])];
  if (!key) return patch.filter((p) => !(isObject(p) && p.$patch === 'delete'));
  if (patch.some((p) => isObject(p) && p.$patch === 'replace')) {
    return patch.filter((p) => !(isObject(p) && p.$patch === 'replace'));
  }
  const out = [...current];
  for (const item of patch) {
    if (!isObject(item) || item[key] === undefined)
      throw badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    const idx = out.findIndex((o) => isObject(o) && o[key] === item[key]);
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) {
      out[idx] = strategicMergePatch(out[idx], item);
    } else {
      out.push(strategicMergePatch(undefined, item));
    }
  }
  return out;
}

/** Strategic merge patch for the fields of the types the sim serves. */
export function strategicMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return patch;
  if (patch.$patch === 'delete') return null;
  const replace = patch.$patch === 'replace';
  const out: JsonObject = isObject(target) && !replace ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const cur = out[field];
      if (Array.isArray(cur) && Array.isArray(v)) out[field] = cur.filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = strategicList(k, out[k], v);
    else if (isObject(v)) {
      const merged = strategicMergePatch(out[k], v);
      if (merged === null) delete out[k];
      else out[k] = merged;
    } else out[k] = v;
  }
  return out;
}

/** Applies a patch body of the given content type to a copy of `target`. */
export function applyPatch(contentType: string, target: object, body: unknown): Record<string, unknown> {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  const doc = structuredClone(target) as Json;
  try {
    if (type === 'application/merge-patch+json') return mergePatch(doc, body as Json) as Record<string, unknown>;
    if (type === 'application/strategic-merge-patch+json') return strategicMergePatch(doc, body as Json) as Record<string, unknown>;
    if (type === 'application/json-patch+json') {
      if (!Array.isArray(body)) throw badRequest('json patch must be an array of operations');
      return jsonpatch.applyPatch(doc, body as Operation[], true, true).newDocument as Record<string, unknown>;
    }
  } catch (err) {
    if (err instanceof StatusError) throw err;
    throw new StatusError(
      422,
      'Invalid',
      `the server rejected our request due to an error in our request: ${(err as Error).message}`,
      undefined,
      { cause: err },
    );
  }
  throw unsupportedMediaType(contentType);
}
