/**
 * Matches alerts to articles. Each rule condition reads one value of the alert (an alertname,
 * a Kubernetes reason, the source, the severity or any label) and tests it against a pattern.
 * Results are ranked most specific first: more matched conditions, then more exact matches, then
 * more regex matches; articles that only share a tag with the alert's alertname or reason come last.
 */
import type { Alert } from '../alerts/model.ts';
import { compilePattern, type CompiledPattern, type PatternKind } from './pattern.ts';
import type { Article, MatchRule, Pattern } from './schema.ts';

export interface CompiledCondition {
  /** What the condition reads, e.g. `label:alertname`, `reason`, `source`. */
  key: string;
  /** As written in the front matter, e.g. `alertname`, `labels.team`. */
  field: string;
  pattern: CompiledPattern;
}

export interface CompiledRule {
  index: number;
  conditions: CompiledCondition[];
}

export interface RuleProblem {
  rule: number;
  message: string;
}

/** How specifically an article matched: compared field by field, in this order. */
export interface MatchScore {
  conditions: number;
  exact: number;
  regex: number;
  tags: number;
}

export interface ArticleMatch {
  article: Article;
  score: MatchScore;
  /** Human-readable conditions that matched, e.g. `alertname=KubePodEvicted`. */
  matched: string[];
}

const SEVERITIES = new Set(['critical', 'warning', 'info']);

function valueOf(alert: Alert, key: string): string | undefined {
  if (key === 'source') return alert.source;
  if (key === 'severity') return alert.severity;
  if (key === 'reason') return alert.labels.reason || alert.annotations.reason || undefined;
  if (key.startsWith('label:')) return alert.labels[key.slice(6)] || undefined;
  return undefined;
}

function conditionsOf(rule: MatchRule): Array<{ key: string; field: string; pattern: Pattern }> {
  const out: Array<{ key: string; field: string; pattern: Pattern }> = [];
  if (rule.alertname !== undefined) out.push({ key: 'label:alertname', field: 'alertname', pattern: rule.alertname });
  if (rule.reason !== undefined) out.push({ key: 'reason', field: 'reason', pattern: rule.reason });
  if (rule.source !== undefined) out.push({ key: 'source', field: 'source', pattern: rule.source });
  if (rule.severity !== undefined) out.push({ key: 'severity', field: 'severity', pattern: rule.severity });
  for (const [name, pattern] of Object.entries(rule.labels ?? {})) {
    out.push({ key: name === 'reason' ? 'reason' : `label:${name}`, field: `labels.${name}`, pattern });
  }
  return out;
}

/** Problems that make a compiled rule unable to ever match, beyond invalid patterns. */
function contradictions(conditions: CompiledCondition[]): string[] {
  const problems: string[] = [];
  const byKey = new Map<string, CompiledCondition[]>();
  for (const c of conditions) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c]);
  for (const c of conditions) {
    if (c.pattern.items.some((i) => i.kind === 'exact' && i.source === '')) {
      problems.push(`${c.field}: an empty value never matches (absent and empty values are not matched)`);
    }
    if (c.key === 'severity' && c.pattern.items.every((i) => i.kind === 'exact' && !SEVERITIES.has(i.source))) {
      problems.push(`severity: alerts only have critical, warning or info`);
    }
  }
  for (const group of byKey.values()) {
    if (group.length < 2) continue;
    const exactOnly = group.filter((c) => c.pattern.items.every((i) => i.kind === 'exact'));
    if (exactOnly.length === 0) continue;
    let candidates = (exactOnly[0]?.pattern.items ?? []).map((i) => i.source);
    for (const c of group) candidates = candidates.filter((v) => c.pattern.find(v));
    if (candidates.length === 0) {
      problems.push(
        `contradicting conditions: ${group.map((c) => `${c.field}=${c.pattern.items.map((i) => i.source).join('|')}`).join(' and ')} can never hold together`,
      );
    }
  }
  return problems;
}

/** Compiles an article's rules. Rules with problems are left out of `rules` and reported. */
export function compileRules(article: Pick<Article, 'match'>): { rules: CompiledRule[]; problems: RuleProblem[] } {
  const rules: CompiledRule[] = [];
  const problems: RuleProblem[] = [];
  article.match.forEach((rule, index) => {
    const raw = conditionsOf(rule);
    if (raw.length === 0) {
      problems.push({ rule: index, message: 'rule has no conditions, so it never matches' });
      return;
    }
    const conditions: CompiledCondition[] = [];
    let broken = false;
    for (const c of raw) {
      try {
        conditions.push({ key: c.key, field: c.field, pattern: compilePattern(c.pattern) });
      } catch (err) {
        problems.push({ rule: index, message: `${c.field}: ${(err as Error).message}` });
        broken = true;
      }
    }
    if (broken) return;
    const contradicting = contradictions(conditions);
    for (const message of contradicting) problems.push({ rule: index, message });
    if (contradicting.length === 0) rules.push({ index, conditions });
  });
  return { rules, problems };
}

function better(a: MatchScore, b: MatchScore): number {
  return b.conditions - a.conditions || b.exact - a.exact || b.regex - a.regex || b.tags - a.tags;
}

function scoreRule(rule: CompiledRule, alert: Alert): { score: MatchScore; matched: string[] } | undefined {
  const score: MatchScore = { conditions: 0, exact: 0, regex: 0, tags: 0 };
  const matched: string[] = [];
  for (const c of rule.conditions) {
    const value = valueOf(alert, c.key);
    const item = value === undefined ? undefined : c.pattern.find(value);
    if (!item) return undefined;
    const kind: PatternKind = item.kind;
    score.conditions++;
    score[kind]++;
    matched.push(`${c.field}=${value}`);
  }
  return { score, matched };
}

export interface Matcher {
  /** Articles for the alert, most specific first. */
  match(alert: Alert): ArticleMatch[];
}

/** Builds a matcher over loaded articles; invalid rules are skipped (lint reports them). */
export function createMatcher(articles: readonly Article[]): Matcher {
  const compiled = articles.map((article) => ({
    article,
    rules: compileRules(article).rules,
    tags: new Set(article.tags.map((t) => t.toLowerCase())),
  }));
  return {
    match(alert) {
      const tagValues = [valueOf(alert, 'label:alertname'), valueOf(alert, 'reason')]
        .filter((v): v is string => v !== undefined)
        .map((v) => v.toLowerCase());
      const out: ArticleMatch[] = [];
      for (const { article, rules, tags } of compiled) {
        let best: { score: MatchScore; matched: string[] } | undefined;
        for (const rule of rules) {
          const r = scoreRule(rule, alert);
          if (r && (!best || better(r.score, best.score) < 0)) best = r;
        }
        const sharedTags = tagValues.filter((v) => tags.has(v));
        if (best) {
          best.score.tags = sharedTags.length;
          out.push({ article, ...best });
        } else if (sharedTags.length > 0) {
          out.push({
            article,
            score: { conditions: 0, exact: 0, regex: 0, tags: sharedTags.length },
            matched: sharedTags.map((t) => `tag=${t}`),
          });
        }
      }
      return out.sort((a, b) => better(a.score, b.score) || a.article.id.localeCompare(b.article.id));
    },
  };
}
