import { kubeDetail } from '../render/kube-details.ts';
import type { types } from '@slack/bolt';
import type { Alert, Severity } from '../model.ts';
import type { Notification } from './types.ts';
import { humanTime, relativeTime } from '../../core/time.ts';
import { slackLink, slackSafe, truncate } from '../../platforms/slack/escape.ts';
import { button, limits, promptButton, sectionBlock, type SlackMessage } from '../../platforms/slack/render.ts';
import {
  detailOf,
  incidentActions,
  incidentLinks,
  resolutionPrompt,
  sharedSummary,
  subjectText,
  summaryOf,
} from '../render/incident-parts.ts';

export { subjectText } from '../render/incident-parts.ts';

const severityEmoji: Record<Severity, string> = { critical: ':red_circle:', warning: ':large_orange_circle:', info: ':large_blue_circle:' };
const severityRank: Record<Severity, number> = { critical: 3, warning: 2, info: 1 };

/** How much of a storm one message shows (the counts always say how many there are), and how. */
export interface NotificationRenderOptions {
  /** Base URL of this instance, for knowledge links given as ids or relative paths. */
  publicUrl?: string | (() => string);
  maxFiring?: number;
  maxResolved?: number;
  /** Time zone of the local times shown; default the machine's. */
  timeZone?: string;
  now?: () => number;
}

/**
 * One incident as a Slack message: a title line with severity emoji, status and counts; the
 * group labels and the ref; the top firing alerts with their subject (cluster, namespace/pod,
 * node, IP) — a storm of alerts sharing one summary states it once and lists one subject per
 * line; recently resolved ones; labelled knowledge, runbook, image and source links; who acked
 * it; how it was fixed last time; and one row of buttons: Ack, Silence (the group labels for
 * `SILENCE_FOR`, confirmed in a dialog saying what it mutes) and Resolution, which asks the
 * presser how it was resolved and records it with `kb note <fingerprint> <text>`. All alert text
 * is neutralised.
 */
export function renderSlackNotification(n: Notification, opts: NotificationRenderOptions = {}): SlackMessage {
  const maxFiring = opts.maxFiring ?? 5;
  const maxResolved = opts.maxResolved ?? 3;
  const now = opts.now?.() ?? Date.now();
  const time = { now, ...(opts.timeZone && { timeZone: opts.timeZone }) };
  const all = [...n.firing, ...n.resolved];
  const first = n.firing[0] ?? n.resolved[0];
  const title = n.groupLabels.alertname ?? first?.labels.alertname ?? first?.annotations.summary ?? 'alert';
  const severity = highest(n.firing.length > 0 ? n.firing : all);
  const firing = n.status === 'firing';
  const status = firing ? `FIRING:${n.counts.firing}` : 'RESOLVED';
  const emoji = firing ? severityEmoji[severity] : ':white_check_mark:';
  const extra = [firing && n.counts.resolved > 0 ? `${n.counts.resolved} resolved` : '', n.flapping ? ':repeat: flapping' : '']
    .filter(Boolean)
    .join(' · ');
  const blocks: types.KnownBlock[] = [sectionBlock(`${emoji} *${slackSafe(`[${status}] ${title}`, 'bold')}*${extra ? `  ${extra}` : ''}`)];

  const labels = Object.entries(n.groupLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(' · ');
  blocks.push(context(`${labels ? `${slackSafe(labels)} · ` : ''}ref \`${slackSafe(n.ref, 'code')}\``));

  if (n.firing.length > 0) {
    const shown = n.firing.slice(0, maxFiring);
    const storm = sharedSummary(shown);
    const lines = storm
      ? [
          `*${slackSafe(truncate(storm, 200), 'bold')}*`,
          ...shown.map(
            (a) => `• ${slackSafe(kubeDetail(a) ?? (subjectText(a) || a.fingerprint))} · ${relativeTime(Date.parse(a.startsAt), now)}`,
          ),
        ]
      : shown.map((a) => alertLine(a, true));
    const more = n.counts.firing - Math.min(n.firing.length, maxFiring);
    if (more > 0) lines.push(`… and ${more} more firing`);
    blocks.push(sectionBlock(truncate(lines.join('\n'), limits.sectionText)));
  }
  if (n.resolved.length > 0) {
    const lines = n.resolved.slice(0, maxResolved).map((a) => `:white_check_mark: ${alertLine(a, false)}`);
    const more = n.counts.resolved - Math.min(n.resolved.length, maxResolved);
    if (more > 0) lines.push(`… and ${more} more resolved`);
    blocks.push(sectionBlock(truncate(lines.join('\n'), limits.sectionText)));
  }

  const base = typeof opts.publicUrl === 'function' ? opts.publicUrl() : opts.publicUrl;
  const links = incidentLinks(n, base).map((l) => slackLink(l.url, l.title));
  if (links.length > 0) blocks.push(context(truncate(`:book: ${links.join(' · ')}`, limits.contextText)));
  if (n.lastResolution) {
    const lr = n.lastResolution;
    blocks.push(
      sectionBlock(
        truncate(`*Last time:* ${slackSafe(lr.text)}\n(${slackSafe(lr.author)}, ${slackSafe(humanTime(lr.at, time))})`, limits.sectionText),
      ),
    );
  }
  if (n.acked) blocks.push(context(`:eyes: acked by ${slackSafe(n.acked.by)} ${slackSafe(humanTime(n.acked.at, time))}`));

  const buttons: types.Button[] = incidentActions(n).map((a, i) => button(a, i));
  const resolution = resolutionPrompt(n);
  if (resolution) buttons.push(promptButton(resolution, buttons.length));
  const usable = buttons.filter((b) => (b.value ?? '').length <= limits.buttonValue);
  if (usable.length > 0) blocks.push({ type: 'actions', elements: usable });
  const fallback = `${firing ? '' : '✓ '}[${status}] ${title}${labels ? ` (${labels})` : ''}`;
  return { text: truncate(slackSafe(fallback), limits.fallbackText), blocks };
}

function highest(alerts: Alert[]): Severity {
  let best: Severity = 'info';
  for (const a of alerts) if (severityRank[a.severity] > severityRank[best]) best = a.severity;
  return best;
}

/** One alert: its summary in bold and its subject, then its body. A summary that only repeats the name gives way to the body. */
function alertLine(a: Alert, withDetail: boolean): string {
  const description = detailOf(a);
  const repeatsName = summaryOf(a) === a.labels.alertname && description !== undefined;
  const summary = (repeatsName ? description : summaryOf(a)) || a.labels.alertname || a.fingerprint;
  const subject = subjectText(a);
  let line = `• *${slackSafe(truncate(summary, 200), 'bold')}*${subject ? ` — ${slackSafe(subject)}` : ''}`;
  const kube = kubeDetail(a);
  if (withDetail && kube) line += `\n    ${slackSafe(truncate(kube, 300))}`;
  else if (withDetail && description && !repeatsName) line += `\n    ${slackSafe(truncate(description, 300))}`;
  return line;
}

function context(text: string): types.ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}
