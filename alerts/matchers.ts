/**
 * Alertmanager label matchers: `name=value`, `name!=value`, `name=~regex`, `name!~regex`, values
 * optionally double-quoted. Regexes are anchored like Alertmanager's (`^(?:re)$`). A missing
 * label matches as the empty string, so `team!=""` means "has a team".
 */
export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

const matcherPattern = /^\s*([\p{L}_][\p{L}\p{N}_.\-/]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/su;

/** Parses one matcher; throws an `Error` that names the problem. */
export function parseMatcher(text: string): Matcher {
  const m = matcherPattern.exec(text);
  if (!m) throw new Error(`invalid matcher "${text}": expected name=value, name!=value, name=~regex or name!~regex`);
  const [, name, op, raw] = m as unknown as [string, string, MatchOp, string];
  let value = raw;
  if (value.startsWith('"')) {
    if (!value.endsWith('"') || value.length < 2) throw new Error(`invalid matcher "${text}": unterminated quote`);
    try {
      value = JSON.parse(value) as string;
    } catch {
      throw new Error(`invalid matcher "${text}": bad escape in quoted value`);
    }
  }
  if (op === '=~' || op === '!~') compileRegex(value, text);
  return { name, op, value };
}

/** Parses a list of matchers; a single string may hold several, comma-separated inside `{…}`. */
export function parseMatchers(items: readonly string[]): Matcher[] {
  const out: Matcher[] = [];
  for (const item of items) {
    const t = item.trim();
    if (t.startsWith('{') && t.endsWith('}')) {
      for (const piece of splitTopLevel(t.slice(1, -1))) if (piece.trim()) out.push(parseMatcher(piece));
    } else out.push(parseMatcher(t));
  }
  return out;
}

/** True when every matcher matches `labels` (an empty list matches everything). */
export function matchesAll(matchers: readonly Matcher[], labels: Record<string, string>): boolean {
  for (const m of matchers) if (!matches(m, labels[m.name] ?? '')) return false;
  return true;
}

const regexCache = new Map<string, RegExp>();

export function matches(m: Matcher, value: string): boolean {
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return compileRegex(m.value).test(value);
    case '!~':
      return !compileRegex(m.value).test(value);
  }
}

export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}

function compileRegex(source: string, context?: string): RegExp {
  let re = regexCache.get(source);
  if (re) return re;
  try {
    re = new RegExp(`^(?:${source})$`, 'su');
  } catch (err) {
    throw new Error(`invalid regex in matcher "${context ?? source}": ${(err as Error).message}`, { cause: err });
  }
  if (regexCache.size > 1000) regexCache.clear();
  regexCache.set(source, re);
  return re;
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted && ch === '\\') {
      cur += ch + (s[i + 1] ?? '');
      i++;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}
