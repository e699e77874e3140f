import { kubeDetail } from '../render/kube-details.ts';
import type { types } from '@slack/bolt';
import type { Alert, Severity } from '../model.ts';
import type { Notification } from './types.ts';
import { slackLink, slackSafe, truncate } from '../../platforms/slack/escape.ts';
import { button, limits, promptButton, sectionBlock, type SlackMessage } from '../../platforms/slack/render.ts';
import { resolutionPrompt } from '../render/notification.ts';

const severityEmoji: Record<Severity, string> = { critical: ':red_circle:', warning: ':large_orange_circle:', info: ':large_blue_circle:' };
const severityRank: Record<Severity, number> = { critical: 3, warning: 2, info: 1 };

/** How much of a storm one message shows; the counts always say how many there are. */
export interface NotificationRenderOptions {
  /** Base URL of this instance, for knowledge links given as ids or relative paths. */
  publicUrl?: string;
  maxFiring?: number;
  maxResolved?: number;
}

/**
 * One incident as a Slack message: a title line with severity emoji, status and counts; the
 * group labels and the ref; the top firing alerts with their subject (cluster, namespace/pod,
 * node, IP); recently resolved ones; knowledge, runbook and generator links; who acked it; how
 * it was fixed last time; buttons `ack <ref>` and `silence <group matchers> 1h`, which run as
 * chat commands for whoever presses them; and a Resolution button, which asks the presser how it
 * was resolved and records it with `kb note <fingerprint> <text>`. All alert text is neutralised.
 */
export function renderSlackNotification(n: Notification, opts: NotificationRenderOptions = {}): SlackMessage {
  const maxFiring = opts.maxFiring ?? 5;
  const maxResolved = opts.maxResolved ?? 3;
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
    const lines = n.firing.slice(0, maxFiring).map((a) => alertLine(a, true));
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

  const links = linkList(n, all, opts.publicUrl);
  if (links.length > 0) blocks.push(context(truncate(`:book: ${links.join(' · ')}`, limits.contextText)));
  if (n.lastResolution) {
    const lr = n.lastResolution;
    blocks.push(
      sectionBlock(truncate(`*Last time:* ${slackSafe(lr.text)}\n(${slackSafe(lr.author)}, ${slackSafe(lr.at)})`, limits.sectionText)),
    );
  }
  if (n.acked) blocks.push(context(`:eyes: acked by ${slackSafe(n.acked.by)} at ${slackSafe(n.acked.at)}`));

  if (firing) {
    const buttons: types.Button[] = [];
    if (!n.acked) buttons.push(button({ label: 'Ack', command: `ack ${quoteArg(n.ref)}`, style: 'primary' }, 0));
    const matchers = silenceMatchers(n, first);
    if (matchers.length > 0) buttons.push(button({ label: 'Silence 1h', command: `silence ${matchers.join(' ')} 1h`, style: 'danger' }, 1));
    const usable = buttons.filter((b) => (b.value ?? '').length <= limits.buttonValue);
    if (usable.length > 0) blocks.push({ type: 'actions', elements: usable });
  }
  const resolution = resolutionPrompt(n);
  if (resolution) {
    const element = promptButton(resolution, 2);
    if ((element.value ?? '').length <= limits.buttonValue) blocks.push({ type: 'actions', elements: [element] });
  }
  const fallback = `${firing ? '' : '✓ '}[${status}] ${title}${labels ? ` (${labels})` : ''}`;
  return { text: truncate(slackSafe(fallback), limits.fallbackText), blocks };
}

function highest(alerts: Alert[]): Severity {
  let best: Severity = 'info';
  for (const a of alerts) if (severityRank[a.severity] > severityRank[best]) best = a.severity;
  return best;
}

function alertLine(a: Alert, withDetail: boolean): string {
  const summary = a.annotations.summary ?? a.labels.alertname ?? a.fingerprint;
  const subject = subjectText(a);
  let line = `• *${slackSafe(truncate(summary, 200), 'bold')}*${subject ? ` — ${slackSafe(subject)}` : ''}`;
  const description = kubeDetail(a) ?? a.annotations.description ?? a.annotations.message;
  if (withDetail && description) line += `\n    ${slackSafe(truncate(description.replace(/\s+/g, ' '), 300))}`;
  return line;
}

/** `cluster · ns/pod on node (ip)`, from what is known. */
export function subjectText(a: Alert): string {
  const s = a.subject;
  const parts: string[] = [];
  if (s.cluster) parts.push(s.cluster);
  const what = s.pod ?? s.workload;
  if (what) parts.push(s.namespace ? `${s.namespace}/${what}` : what);
  else if (s.namespace) parts.push(s.namespace);
  let text = parts.join(' · ');
  if (s.node) text += `${text ? ' on ' : 'node '}${s.node}`;
  if (s.ip) text += text ? ` (${s.ip})` : s.ip;
  return text;
}

function linkList(n: Notification, alerts: Alert[], publicUrl?: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const add = (url: string | undefined, label: string) => {
    if (!url) return;
    const absolute = absoluteUrl(url, publicUrl);
    if (seen.has(absolute)) return;
    seen.add(absolute);
    out.push(slackLink(absolute, label));
  };
  for (const k of n.knowledge) add(k.url || (k.id ? `/kb/${encodeURIComponent(k.id)}` : ''), k.title);
  for (const a of alerts) add(a.links.runbook, 'runbook');
  for (const a of alerts) for (const k of a.links.knowledge ?? []) add(k, 'knowledge');
  add(alerts.find((a) => a.links.generator)?.links.generator, 'source');
  return out.slice(0, 10);
}

function absoluteUrl(url: string, publicUrl?: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) || !publicUrl) return url;
  return new URL(url, publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`).href;
}

/** The group's labels as matchers (`name=value`); without group labels, the alert name alone. */
function silenceMatchers(n: Notification, first: Alert | undefined): string[] {
  const entries = Object.entries(n.groupLabels);
  if (entries.length === 0 && first?.labels.alertname) entries.push(['alertname', first.labels.alertname]);
  return entries.map(([k, v]) => quoteArg(`${k}=${v}`));
}

/** Quotes one chat argument so the chat tokenizer reads it back as one word. */
export function quoteArg(word: string): string {
  if (/^[\p{L}\p{N}_.:/=@,+-]+$/u.test(word)) return word;
  return `"${word.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function context(text: string): types.ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}
