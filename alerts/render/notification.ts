import type { Action, Block, PromptBlock, Reply } from '../../core/reply.ts';
import { quoteWord } from '../../core/tokenize.ts';
import { formatDuration } from '../duration.ts';
import type { Alert } from '../model.ts';
import type { Notification } from '../notifiers/types.ts';
import { kubeDetail } from './kube-details.ts';

const severityMark = { critical: '🔴', warning: '🟠', info: '🔵' } as const;

/**
 * Neutralises text that comes from alerts before it reaches a chat: mass mentions (`<!channel>`,
 * `@all`, `@here`) and link/markup syntax that could impersonate the bot.
 */
export function neutralise(text: string): string {
  return text
    .replace(/<!(channel|here|everyone)[^>]*>/gi, '$1')
    .replace(/@(all|here|channel|everyone)\b/gi, '@\u200b$1')
    .replace(/<([^>]*)>/g, '‹$1›')
    .slice(0, 2000);
}

const nameOf = (a: Alert) => a.labels.alertname ?? a.annotations.summary ?? a.fingerprint;

function subjectOf(a: Alert): string {
  const s = a.subject;
  const parts = [s.cluster, s.namespace && s.pod ? `${s.namespace}/${s.pod}` : (s.namespace ?? s.pod), s.workload, s.node, s.ip].filter(
    Boolean,
  );
  return parts.join(' · ');
}

/** The highest severity among the firing alerts (else the resolved ones). */
export function severityOfNotification(n: Notification): Alert['severity'] {
  const list = n.firing.length > 0 ? n.firing : n.resolved;
  if (list.some((a) => a.severity === 'critical')) return 'critical';
  if (list.some((a) => a.severity === 'warning')) return 'warning';
  return 'info';
}

/**
 * The Resolution prompt of an incident: `kb note <ref> <how it was resolved>`, where the ref is
 * the fingerprint of the top firing (else resolved) alert, or its alertname.
 */
export function resolutionPrompt(n: Notification): PromptBlock | undefined {
  const top = n.firing[0] ?? n.resolved[0];
  const ref = top?.fingerprint || top?.labels.alertname;
  if (!ref) return undefined;
  return {
    kind: 'prompt',
    label: 'Resolution',
    question: 'How was it resolved?',
    command: `kb note ${quoteWord(ref)}`,
    placeholder: 'how it was resolved',
  };
}

/**
 * A notification as platform-neutral reply blocks: title with severity, status and counts, a
 * table of the top alerts (storm summary: the rest as a count), subject, links (knowledge,
 * runbook, generator), who acked, last resolution, ack/silence buttons while firing, and the
 * Resolution prompt (`kb note <fingerprint> …`).
 */
export function renderNotification(n: Notification, now = Date.now()): Reply {
  const sev = severityOfNotification(n);
  const group =
    Object.entries(n.groupLabels)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ') || 'all alerts';
  const title =
    n.status === 'firing' ? `${severityMark[sev]} [FIRING:${n.counts.firing}] ${neutralise(group)}` : `✅ [RESOLVED] ${neutralise(group)}`;
  const blocks: Block[] = [{ kind: 'heading', text: title }];
  const meta = [`ref ${n.ref}`, `receiver ${n.receiver}`, sev];
  if (n.counts.resolved > 0 && n.status === 'firing') meta.push(`${n.counts.resolved} resolved`);
  if (n.flapping) meta.push('flapping: resolutions held back');
  blocks.push({ kind: 'context', text: meta.join(' · ') });
  const rows = (list: Alert[], status: string) =>
    list.map((a) => [
      status,
      a.severity,
      neutralise(nameOf(a)),
      neutralise(subjectOf(a) || '-'),
      neutralise((a.annotations.summary ?? a.annotations.description ?? '').split('\n')[0] ?? ''),
      formatDuration(Math.max(0, now - Date.parse(a.startsAt))),
    ]);
  const table = [...rows(n.firing, 'firing'), ...rows(n.resolved, 'resolved')];
  if (table.length > 0) blocks.push({ kind: 'table', columns: ['status', 'severity', 'alert', 'subject', 'summary', 'age'], rows: table });
  const details = [...n.firing, ...n.resolved].slice(0, 10).flatMap((a) => kubeDetail(a) ?? []);
  if (details.length > 0) blocks.push({ kind: 'text', text: details.map((d) => `• ${neutralise(d)}`).join('\n') });
  const hidden = n.counts.firing - n.firing.length + (n.counts.resolved - n.resolved.length);
  if (hidden > 0)
    blocks.push({ kind: 'context', text: `… and ${hidden} more (${n.counts.firing} firing, ${n.counts.resolved} resolved in total)` });
  const links = new Map<string, string>();
  for (const k of n.knowledge) links.set(k.url, `📘 ${neutralise(k.title)}: ${k.url}`);
  for (const a of [...n.firing, ...n.resolved].slice(0, 5)) {
    if (a.links.runbook && !links.has(a.links.runbook)) links.set(a.links.runbook, `runbook: ${a.links.runbook}`);
    if (a.links.generator && !links.has(a.links.generator)) links.set(a.links.generator, `source: ${a.links.generator}`);
  }
  if (links.size > 0) blocks.push({ kind: 'text', text: [...links.values()].join('\n') });
  if (n.lastResolution)
    blocks.push({
      kind: 'context',
      text: `last time: ${neutralise(n.lastResolution.text)} (by ${neutralise(n.lastResolution.author)}, ${n.lastResolution.at.slice(0, 10)})`,
    });
  if (n.acked) blocks.push({ kind: 'context', text: `acked by ${neutralise(n.acked.by)} at ${n.acked.at.slice(0, 16).replace('T', ' ')}` });
  if (n.status === 'firing') {
    const actions: Action[] = [];
    if (!n.acked) actions.push({ label: 'Ack', command: `ack ${n.ref}`, style: 'primary' });
    const name = n.groupLabels.alertname ?? n.firing[0]?.labels.alertname;
    if (name) actions.push({ label: 'Silence 2h', command: `silence alertname=${JSON.stringify(name)} 2h "from ${n.ref}"` });
    if (actions.length > 0) blocks.push({ kind: 'actions', actions });
  }
  const resolution = resolutionPrompt(n);
  if (resolution) blocks.push(resolution);
  return { blocks };
}
