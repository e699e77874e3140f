import type { AlertsConfig } from './config-schema.ts';
import { matchesAll, parseMatchers, type Matcher } from './matchers.ts';

/**
 * Alertmanager inhibition: a firing alert matching a rule's source matchers mutes every alert
 * matching its target matchers that has the same values for the `equal` labels (a missing label
 * counts as equal to another missing one). An alert never inhibits itself, and, like
 * Alertmanager's `hasEqual(lset, excludeTwoSidedMatch)`, an alert that matches both sides of a
 * rule is muted only by sources that do not match the target side too: two critical alerts under
 * a critical→critical rule do not mute each other.
 */
export interface InhibitRule {
  source: Matcher[];
  target: Matcher[];
  equal: string[];
}

export function compileInhibitRules(rules: AlertsConfig['inhibit_rules']): InhibitRule[] {
  return rules.map((r) => ({ source: parseMatchers(r.source_matchers), target: parseMatchers(r.target_matchers), equal: r.equal }));
}

/** True when the alert could inhibit others (the ingest keeps those in the source index). */
export function isInhibitSource(rules: readonly InhibitRule[], labels: Record<string, string>): boolean {
  return rules.some((r) => matchesAll(r.source, labels));
}

/** The fingerprint of the first firing source alert that inhibits `labels`, if any. */
export function inhibitedBy(
  rules: readonly InhibitRule[],
  fingerprint: string,
  labels: Record<string, string>,
  sources: ReadonlyMap<string, Record<string, string>>,
): string | undefined {
  for (const r of rules) {
    if (!matchesAll(r.target, labels)) continue;
    const twoSided = matchesAll(r.source, labels);
    for (const [fp, src] of sources) {
      if (fp === fingerprint || !matchesAll(r.source, src)) continue;
      if (!r.equal.every((name) => (src[name] ?? '') === (labels[name] ?? ''))) continue;
      if (twoSided && matchesAll(r.target, src)) continue;
      return fp;
    }
  }
  return undefined;
}
