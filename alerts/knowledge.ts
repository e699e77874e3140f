import type { Alert } from './model.ts';
import type { KnowledgeLink, LastResolution } from './notifiers/types.ts';

/**
 * Where notifications get their knowledge links and "last time" notes. The knowledge base
 * implements this; without it the alerts' own runbook links are used.
 */
export interface KnowledgeLinks {
  linksFor(alert: Alert): KnowledgeLink[] | Promise<KnowledgeLink[]>;
  lastResolution(alert: Alert): LastResolution | undefined | Promise<LastResolution | undefined>;
}

/** Links from the alerts themselves: `runbook_url` / `runbook` annotations and `links.runbook`. */
export function createRunbookLinks(): KnowledgeLinks {
  return {
    linksFor(alert) {
      const url = alert.links.runbook ?? alert.annotations.runbook_url ?? alert.annotations.runbook;
      if (!url || !/^https?:\/\//i.test(url)) return [];
      return [{ title: `runbook: ${alert.labels.alertname ?? 'alert'}`, url }];
    },
    lastResolution: () => undefined,
  };
}
