import { randomBytes } from 'node:crypto';
import { matchesAll, type Matcher } from './matchers.ts';

const PROBES = 4;
const COMMON_LABELS = ['alertname', 'namespace', 'severity', 'job', 'instance', 'pod', 'node', 'service', 'team', 'cluster'];

/**
 * Label sets made up for the matchers at hand: every label they name, and common ones, set to
 * random values. A silence matching all of them matches alerts whatever their labels say.
 */
function probes(matchers: readonly Matcher[]): Array<Record<string, string>> {
  const names = [...new Set([...COMMON_LABELS, ...matchers.map((m) => m.name)])];
  return Array.from({ length: PROBES }, (_, i) =>
    Object.fromEntries(names.map((n) => [n, `${i % 2 ? 'Probe' : 'probe-'}${randomBytes(4).toString('hex')}`])),
  );
}

/**
 * Why a silence would mute everything, decided by what it matches rather than how it is spelled
 * (`nosuchlabel=""`, `alertname!="x"`, `alertname=~"(.*)"`, `alertname!~"^$"` all qualify): it
 * matches an alert with no labels, or label sets with made-up values, or every open alert when
 * those span more than one alertname. Undefined when it is selective.
 */
export function matchAllReason(matchers: readonly Matcher[], openAlerts: ReadonlyArray<Record<string, string>> = []): string | undefined {
  if (matchesAll(matchers, {})) return 'it matches an alert with no labels at all';
  if (probes(matchers).every((labels) => matchesAll(matchers, labels))) return 'it matches alerts whatever their label values are';
  const names = new Set(openAlerts.map((l) => l.alertname ?? ''));
  if (names.size > 1 && openAlerts.every((labels) => matchesAll(matchers, labels)))
    return `it matches every open alert (${openAlerts.length} across ${names.size} alertnames)`;
  return undefined;
}
