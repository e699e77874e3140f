/**
 * Label and field selectors with the grammar of the real API server:
 * labels `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`; fields `f=v`, `f==v`, `f!=v`.
 */
import { badRequest } from './status.ts';
import type { KubeObject } from './types.ts';

/** A compiled selector: true when the object matches. */
export type Matcher = (obj: KubeObject) => boolean;

type Requirement = { key: string; op: 'eq' | 'ne' | 'in' | 'notin' | 'exists' | 'notexists'; values: string[] };

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

function parseRequirement(term: string): Requirement {
  const setMatch = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  let req: Requirement;
  if (setMatch) {
    const values = setMatch[3]!
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    req = { key: setMatch[1]!, op: setMatch[2] as 'in' | 'notin', values };
  } else if (term.startsWith('!')) {
    req = { key: term.slice(1).trim(), op: 'notexists', values: [] };
  } else {
    const m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) req = { key: m[1]!, op: m[2] === '!=' ? 'ne' : 'eq', values: [m[3]!] };
    else req = { key: term, op: 'exists', values: [] };
  }
  if (!KEY.test(req.key)) throw badRequest(`unable to parse requirement: invalid label key "${req.key}"`);
  return req;
}

/** Compiles a label selector; an empty one matches everything. */
export function parseLabelSelector(text: string | undefined | null): Matcher {
  if (!text || text.trim() === '') return () => true;
  const reqs = splitTerms(text).map(parseRequirement);
  return (obj) => {
    const labels = obj.metadata.labels ?? {};
    for (const r of reqs) {
      const has = Object.hasOwn(labels, r.key);
      const v = labels[r.key];
      switch (r.op) {
        case 'eq':
          if (v !== r.values[0]) return false;
          break;
        case 'ne':
          if (has && v === r.values[0]) return false;
          break;
        case 'in':
          if (!has || !r.values.includes(v!)) return false;
          break;
        case 'notin':
          if (has && r.values.includes(v!)) return false;
          break;
        case 'exists':
          if (!has) return false;
          break;
        case 'notexists':
          if (has) return false;
          break;
      }
    }
    return true;
  };
}

/** Compiles `matchLabels`/`matchExpressions` of a workload selector. */
export function matchSelector(
  sel: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined,
): Matcher {
  const terms: string[] = [];
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) terms.push(`${k}=${v}`);
  for (const e of sel?.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === 'exists') terms.push(e.key);
    else if (op === 'doesnotexist') terms.push(`!${e.key}`);
    else terms.push(`${e.key} ${op} (${(e.values ?? []).join(',')})`);
  }
  return parseLabelSelector(terms.join(','));
}

/** The string value of a selectable field, as the real server renders it ('' when absent). */
export function fieldValue(obj: KubeObject, path: string): string {
  if (path === 'source') {
    const src = (obj as { source?: { component?: string } }).source;
    return src?.component ?? '';
  }
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'string' ? cur : String(cur);
}

/** Compiles a field selector, rejecting fields the resource does not support like the real server. */
export function parseFieldSelector(text: string | undefined | null, allowed: readonly string[], kind: string): Matcher {
  if (!text || text.trim() === '') return () => true;
  const reqs = text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((term) => {
      const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
      if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
      const field = m[1]!.trim();
      if (field !== 'metadata.name' && field !== 'metadata.namespace' && !allowed.includes(field)) {
        throw badRequest(
          `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"${allowed.length ? ' and others' : ''} for ${kind}`,
        );
      }
      return { field, ne: m[2] === '!=', value: m[3]!.trim() };
    });
  return (obj) => reqs.every((r) => (fieldValue(obj, r.field) === r.value) !== r.ne);
}
