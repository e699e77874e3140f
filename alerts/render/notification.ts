import type { Block, Reply } from '../../core/reply.ts';
import { humanTime, relativeTime } from '../../core/time.ts';
import type { Alert } from '../model.ts';
import type { Notification } from '../notifiers/types.ts';
import { detailOf, incidentActions, incidentLinks, resolutionPrompt, sharedSummary, subjectText, summaryOf } from './incident-parts.ts';
import { kubeDetail } from './kube-details.ts';

export { resolutionPrompt } from './incident-parts.ts';

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

/** The highest severity among the firing alerts (else the resolved ones). */
export function severityOfNotification(n: Notification): Alert['severity'] {
  const list = n.firing.length > 0 ? n.firing : n.resolved;
  if (list.some((a) => a.severity === 'critical')) return 'critical';
  if (list.some((a) => a.severity === 'warning')) return 'warning';
  return 'info';
}

/** How a notification is shown: the clock, the time zone of local times, the base of relative links. */
export interface NotificationDisplay {
  now?: number;
  timeZone?: string;
  publicUrl?: string;
}

const nameOf = (a: Alert) => a.labels.alertname ?? a.annotations.summary ?? a.fingerprint;

/**
 * A notification as platform-neutral reply blocks: title with severity, status and counts; the
 * firing alerts (a storm — many alerts with one summary — states the summary once and lists one
 * subject per line; otherwise a table of alert, subject, summary and age); the storm remainder
 * as a count; labelled links (knowledge, runbook, image, source); how it was fixed last time;
 * who acked; and the Ack and Silence buttons with the Resolution prompt next to them.
 */
export function renderNotification(n: Notification, display: NotificationDisplay = {}): Reply {
  const now = display.now ?? Date.now();
  const time = { now, ...(display.timeZone && { timeZone: display.timeZone }) };
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
  const age = (a: Alert) => relativeTime(Date.parse(a.startsAt), now);
  const storm = sharedSummary(n.firing);
  if (storm) {
    blocks.push({ kind: 'text', text: `${neutralise(nameOf(n.firing[0]!))}: ${neutralise(storm)}` });
    const line = (a: Alert) => kubeDetail(a) ?? (subjectText(a) || a.fingerprint);
    blocks.push({ kind: 'text', text: n.firing.map((a) => `• ${neutralise(line(a))} · ${age(a)}`).join('\n') });
  }
  // A summary that only repeats the alert's name (a webhook's title) is not shown again.
  const summary = (a: Alert) => (summaryOf(a) === nameOf(a) ? '' : neutralise(summaryOf(a)));
  const rows = (list: Alert[], status: string) =>
    list.map((a) => [status, neutralise(nameOf(a)), neutralise(subjectText(a) || '-'), summary(a), age(a)]);
  const table = [...(storm ? [] : rows(n.firing, 'firing')), ...rows(n.resolved, 'resolved')];
  const columns = ['status', 'alert', 'subject', 'summary', 'since'];
  if (table.length > 0) {
    const keep = columns.map((_, i) => i !== 3 || table.some((r) => r[i]));
    blocks.push({
      kind: 'table',
      columns: columns.filter((_, i) => keep[i]),
      rows: table.map((r) => r.filter((_, i) => keep[i])),
      overflow: 'cut',
    });
  }
  const details = storm ? [] : [...new Set(n.firing.map(detailOf).filter((d): d is string => Boolean(d)))];
  if (details.length > 0) blocks.push({ kind: 'text', text: details.slice(0, 3).map(neutralise).join('\n') });
  const kube = [...(storm ? [] : n.firing), ...n.resolved].slice(0, 10).flatMap((a) => kubeDetail(a) ?? []);
  if (kube.length > 0) blocks.push({ kind: 'text', text: kube.map((d) => `• ${neutralise(d)}`).join('\n') });
  const hidden = n.counts.firing - n.firing.length + (n.counts.resolved - n.resolved.length);
  if (hidden > 0)
    blocks.push({ kind: 'context', text: `… and ${hidden} more (${n.counts.firing} firing, ${n.counts.resolved} resolved in total)` });
  const links = incidentLinks(n, display.publicUrl).map((l) => ({ ...l, title: neutralise(l.title) }));
  if (links.length > 0) blocks.push({ kind: 'links', links });
  if (n.lastResolution)
    blocks.push({
      kind: 'context',
      text: `last time: ${neutralise(n.lastResolution.text)} (by ${neutralise(n.lastResolution.author)}, ${humanTime(n.lastResolution.at, time)})`,
    });
  if (n.acked) blocks.push({ kind: 'context', text: `acked by ${neutralise(n.acked.by)} ${humanTime(n.acked.at, time)}` });
  const actions = incidentActions(n);
  if (actions.length > 0) blocks.push({ kind: 'actions', actions });
  const resolution = resolutionPrompt(n);
  if (resolution) blocks.push(resolution);
  return { blocks };
}
