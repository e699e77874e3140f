/**
 * Compiles the patterns of match rules: `"OOMKilled"` (exact), `"/^Kube.*Evicted$/"` (regular
 * expression with optional flags) and lists of those.
 */
import type { Pattern } from './schema.ts';

export type PatternKind = 'exact' | 'regex';

export interface CompiledItem {
  kind: PatternKind;
  source: string;
  test(value: string): boolean;
}

export interface CompiledPattern {
  items: CompiledItem[];
  /** The first item matching `value`, if any. */
  find(value: string): CompiledItem | undefined;
}

const REGEX_LITERAL = /^\/(.*)\/([a-z]*)$/s;
const ALLOWED_FLAGS = /^[imsu]*$/;

/** Compiles one item; throws an Error with a readable message when the expression is invalid. */
export function compileItem(item: string): CompiledItem {
  const literal = REGEX_LITERAL.exec(item);
  if (!literal) return { kind: 'exact', source: item, test: (value) => value === item };
  const [, source = '', flags = ''] = literal;
  if (!ALLOWED_FLAGS.test(flags)) throw new Error(`invalid regex flags "${flags}" in ${item} (allowed: i, m, s, u)`);
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch (err) {
    throw new Error(`invalid regex ${item}: ${(err as Error).message}`, { cause: err });
  }
  return { kind: 'regex', source: item, test: (value) => re.test(value) };
}

/** Compiles a pattern; throws when an item is invalid or a list is empty. */
export function compilePattern(pattern: Pattern): CompiledPattern {
  const list = Array.isArray(pattern) ? pattern : [pattern];
  if (list.length === 0) throw new Error('empty list: it can never match');
  const items = list.map(compileItem);
  return { items, find: (value) => items.find((i) => i.test(value)) };
}
