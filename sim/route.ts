/**
 * Parses API server URL paths into the resource, namespace, name and subresource they address:
 * `/api/v1/pods`, `/api/v1/namespaces/{ns}/pods/{name}/status`, `/apis/{group}/{version}/...`,
 * and the legacy `/api/v1/watch/...` form.
 */
import { resourceByPath } from './resources.ts';
import type { ResourceDef } from './resources.ts';

/** What a resource URL addresses. */
export interface ResourceRoute {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The path used the legacy `/watch/` prefix. */
  legacyWatch: boolean;
}

/** A parsed path: a resource route, or `undefined` when the path names no served resource. */
export function parseResourcePath(pathname: string): ResourceRoute | undefined {
  let parts: string[];
  try {
    parts = pathname
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
  } catch {
    return undefined;
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const inner = resourceByPath(group, version, rest[2]!);
    if (inner && inner.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const def = resourceByPath(group, version, rest[0] ?? '');
  if (!def || rest.length > 3) return undefined;
  if (def.namespaced === false && namespace !== undefined) return undefined;
  const route: ResourceRoute = { def, legacyWatch };
  if (namespace !== undefined) route.namespace = namespace;
  if (rest[1] !== undefined) route.name = rest[1];
  if (rest[2] !== undefined) {
    if (!def.subresources.includes(rest[2])) return undefined;
    route.subresource = rest[2];
  }
  return route;
}
