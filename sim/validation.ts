/**
 * The admission checks the simulated API server applies on create and update: RFC 1123 names and
 * the pod fields the real server requires.
 */
import type { ResourceDef } from './resources.ts';
import { invalid } from './status.ts';
import type { KubeObject } from './types.ts';

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Throws a 422 Invalid `StatusError` listing every problem. */
export function validate(def: ResourceDef, obj: KubeObject): void {
  const name = obj.metadata.name ?? '';
  const causes: { field: string; message: string }[] = [];
  if (!NAME_RE.test(name) || name.length > 253) {
    causes.push({
      field: 'metadata.name',
      message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    });
  }
  if (def.id === 'pods') {
    const containers = (obj.spec as { containers?: unknown[] } | undefined)?.containers;
    if (!Array.isArray(containers) || containers.length === 0) causes.push({ field: 'spec.containers', message: 'Required value' });
  }
  if (causes.length) throw invalid(def.kind, def.group, name, causes);
}
