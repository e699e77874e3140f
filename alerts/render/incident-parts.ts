/**
 * The pieces every rendering of an incident shares, so console, DingTalk and Slack say the same
 * thing: what the Ack and Silence buttons run (one silence semantics: the incident's group labels
 * for `SILENCE_FOR`), the Resolution prompt, the subject line, the links and the storm summary.
 */
import type { Action, Link, PromptBlock } from '../../core/reply.ts';
import { quoteWord } from '../../core/tokenize.ts';
import type { Alert } from '../model.ts';
import type { Notification } from '../notifiers/types.ts';

/** How long the Silence button on an incident silences it, on every chat. */
export const SILENCE_FOR = '2h';

/** The matchers the Silence button uses: the group labels, else the alert name of the top alert. */
export function silenceMatchers(n: Notification): string[] {
  const entries = Object.entries(n.groupLabels);
  const top = n.firing[0] ?? n.resolved[0];
  if (entries.length === 0 && top?.labels.alertname) entries.push(['alertname', top.labels.alertname]);
  return entries.map(([k, v]) => `${k}=${v}`);
}

/** `Silence 2h`: `silence <group matchers> 2h "from <ref>"`, with the confirmation that says what it mutes. */
export function silenceAction(n: Notification, duration = SILENCE_FOR): Action | undefined {
  const matchers = silenceMatchers(n);
  if (matchers.length === 0) return undefined;
  return {
    label: `Silence ${duration}`,
    command: `silence ${matchers.map(quoteWord).join(' ')} ${duration} ${quoteWord(`from ${n.ref}`)}`,
    style: 'danger',
    confirm: `mutes alerts matching ${matchers.join(', ')} for ${duration}, in every channel`,
  };
}

export function ackAction(n: Notification): Action {
  return { label: 'Ack', command: `ack ${quoteWord(n.ref)}`, style: 'primary' };
}

/** Ack (until acked) and Silence while firing; nothing once resolved. */
export function incidentActions(n: Notification): Action[] {
  if (n.status !== 'firing') return [];
  const silence = silenceAction(n);
  return [...(n.acked ? [] : [ackAction(n)]), ...(silence ? [silence] : [])];
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

/** `cluster · ns/pod (container) on node (ip)`, from what is known. */
export function subjectText(a: Alert): string {
  const s = a.subject;
  const parts: string[] = [];
  if (s.cluster) parts.push(s.cluster);
  const what = s.pod ?? s.workload;
  if (what) parts.push(s.namespace ? `${s.namespace}/${what}` : what);
  else if (s.namespace) parts.push(s.namespace);
  let text = parts.join(' · ');
  if (s.container) text += ` (${s.container})`;
  if (s.node) text += `${text ? ' on ' : 'node '}${s.node}`;
  if (s.ip) text += text ? ` (${s.ip})` : s.ip;
  return text;
}

/** The one-line text of an alert: its summary, else the first line of its description or message. */
export function summaryOf(a: Alert): string {
  const text = a.annotations.summary ?? a.annotations.description ?? a.annotations.message ?? '';
  return text.split('\n')[0]!.trim();
}

/** The body of an alert beyond its summary: its description or message, when that says more. */
export function detailOf(a: Alert): string | undefined {
  const detail = a.annotations.description ?? a.annotations.message;
  if (!detail) return undefined;
  const flat = detail.replace(/\s+/g, ' ').trim();
  return flat && flat !== summaryOf(a) ? flat : undefined;
}

/** What an alert says in one line: its summary, or its body when the summary only repeats its name. */
export function headlineOf(a: Alert): string {
  const summary = summaryOf(a);
  if (summary && summary !== a.labels.alertname) return summary;
  return detailOf(a) ?? summary ?? a.labels.alertname ?? a.fingerprint;
}

/** The summary a storm shares: set when two or more alerts have the same name and one summary. */
export function sharedSummary(alerts: readonly Alert[]): string | undefined {
  if (alerts.length < 2) return undefined;
  const first = alerts[0]!;
  const summary = summaryOf(first);
  const name = first.labels.alertname;
  return alerts.every((a) => a.labels.alertname === name && summaryOf(a) === summary) ? summary || name : undefined;
}

/** `base` + relative `url`; absolute http(s) URLs as they are. */
export function absoluteUrl(url: string, base?: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) || !base) return url;
  return new URL(url, base.endsWith('/') ? base : `${base}/`).href;
}

/**
 * The incident's links, labelled and deduplicated: knowledge articles (by title), runbooks,
 * extra knowledge links, the image and the generator (`source`). Relative ones are made
 * absolute against `publicUrl`; anything but http(s) is left out.
 */
export function incidentLinks(n: Notification, publicUrl?: string, max = 10): Link[] {
  const alerts = [...n.firing, ...n.resolved];
  const seen = new Set<string>();
  const out: Link[] = [];
  const add = (url: string | undefined, title: string) => {
    if (!url) return;
    const absolute = absoluteUrl(url, publicUrl);
    if (seen.has(absolute)) return;
    seen.add(absolute);
    out.push({ title, url: absolute });
  };
  for (const k of n.knowledge) add(k.url || (k.id ? `/kb/${encodeURIComponent(k.id)}` : ''), k.title);
  for (const a of alerts) add(a.links.runbook, 'runbook');
  for (const a of alerts) for (const k of a.links.knowledge ?? []) add(k, 'knowledge');
  add(alerts.find((a) => a.annotations.image_url)?.annotations.image_url, 'image');
  add(alerts.find((a) => a.links.generator)?.links.generator, 'source');
  return out.filter((l) => /^https?:\/\//i.test(l.url)).slice(0, max);
}
