/**
 * The incidents page (`GET /incidents`) in the knowledge base's look: open incidents, silences
 * (with the form that previews what a new one would mute now), recent notifications with their
 * delivery state, and the audit tail for admins. Every dynamic value is escaped; forms carry the
 * viewer's token so the page works with the API's bearer tokens.
 */
import { describeMatchers, silenceState } from '../../alerts/silences.ts';
import { headlineOf, incidentLinks, subjectText } from '../../alerts/render/incident-parts.ts';
import type { Alert } from '../../alerts/model.ts';
import type { IncidentSummary } from '../../alerts/pipeline/incidents.ts';
import { humanTime, relativeTime, type TimeDisplay } from '../../core/time.ts';
import { escapeHtml as e, layout } from '../../core/web-page.ts';
import type { IncidentsPageData } from './data.ts';

/** A silence being drafted: the form's values and, once checked, what it would mute now. */
export interface SilenceDraft {
  matchers: string;
  duration: string;
  comment: string;
  error?: string;
  matches?: Array<{ incident: IncidentSummary; alert: Alert }>;
}

export interface IncidentsPageOptions extends TimeDisplay {
  /** The token to carry in links and forms (from `?token=`), if the viewer gave one that way. */
  token?: string;
  viewer: string;
  publicUrl?: string;
  draft?: SilenceDraft;
  notice?: string;
}

const hidden = (token?: string) => (token ? `<input type="hidden" name="token" value="${e(token)}">` : '');
/** A post target with the token in its query: the API's token check reads headers and the query, not bodies. */
const action = (path: string, token?: string) => e(token ? `${path}?token=${encodeURIComponent(token)}` : path);
const labels = (l: Record<string, string>) =>
  Object.entries(l)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ') || 'all alerts';

function severityOf(i: IncidentSummary): string {
  const firing = i.last?.firing ?? [];
  if (firing.some((a) => a.severity === 'critical')) return 'critical';
  if (firing.some((a) => a.severity === 'warning')) return 'warning';
  return firing.length > 0 ? 'info' : 'ok';
}

function incidentCard(i: IncidentSummary, o: IncidentsPageOptions): string {
  const sev = severityOf(i);
  const status = i.firing > 0 ? `firing ${i.firing}` : 'resolving';
  const links = i.last ? incidentLinks(i.last, o.publicUrl, 6) : [];
  const top = i.last?.firing.slice(0, 3) ?? [];
  return `<div class="card incident" id="incident-${e(i.ref)}">
<h3><span class="badge ${sev}">${e(status)}</span> ${e(labels(i.groupLabels))}</h3>
<dl class="facts">
<dt>Ref</dt><dd><code>${e(i.ref)}</code></dd>
<dt>Opened</dt><dd>${e(humanTime(i.openedAt, o))}</dd>
<dt>Ack</dt><dd>${i.ackedBy ? `acked by ${e(i.ackedBy)} ${e(relativeTime(i.ackedAt ?? i.updatedAt, o.now))}` : '<span class="warning">not acked</span>'}</dd>
<dt>Receiver</dt><dd>${e(i.receiver)}</dd>
${i.resolved > 0 ? `<dt>Resolved</dt><dd>${i.resolved}</dd>` : ''}
</dl>
${top.length ? `<ul>${top.map((a) => `<li>${e(headlineOf(a))}${subjectText(a) ? ` <span class="muted">— ${e(subjectText(a))}</span>` : ''}</li>`).join('')}</ul>` : ''}
${links.length ? `<div class="row">${links.map((l) => `<a href="${e(l.url)}" rel="noopener noreferrer">${e(l.title)}</a>`).join(' · ')}</div>` : ''}
</div>`;
}

function silencesSection(d: IncidentsPageData, o: IncidentsPageOptions): string {
  const now = o.now ?? Date.now();
  const rows = d.silences.map((s) => {
    const state = silenceState(s, now);
    const ends = humanTime(s.endsAt, o);
    const expire =
      state === 'expired'
        ? ''
        : `<form class="inline" method="post" action="${action(`/incidents/silences/${encodeURIComponent(s.id)}/expire`, o.token)}"><button class="secondary" type="submit">Expire</button></form>`;
    return `<tr><td data-label="id"><code>${e(s.id)}</code></td><td data-label="matchers"><code>${e(describeMatchers(s))}</code></td><td><span class="badge ${state}">${state}</span></td><td data-label="ends">${e(ends)}</td><td data-label="by">${e(s.createdBy)}${s.comment ? ` — ${e(s.comment)}` : ''}</td><td>${expire}</td></tr>`;
  });
  const table = rows.length
    ? `<table class="stack" id="silences"><thead><tr><th>id</th><th>matchers</th><th>state</th><th>ends</th><th>by · why</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`
    : '<p class="muted" id="silences">No silences.</p>';
  return `<section><h2>Silences</h2>${table}${draftForm(o)}</section>`;
}

function draftForm(o: IncidentsPageOptions): string {
  const d = o.draft ?? { matchers: '', duration: '2h', comment: '' };
  const check = `<form class="stack" id="silence-form" method="get" action="/incidents#silence-form">${hidden(o.token)}
<label>Matchers <input name="matchers" value="${e(d.matchers)}" placeholder="alertname=KubePodCrashLooping namespace=shop" required></label>
<div class="row"><label>For <input name="duration" value="${e(d.duration)}" size="6" required></label><label style="flex:1">Why <input name="comment" value="${e(d.comment)}" placeholder="maintenance · 维护"></label></div>
<div class="row"><button type="submit" class="secondary">Preview</button></div></form>`;
  if (d.error) return `${check}<p class="notice error" id="preview">${e(d.error)}</p>`;
  if (!d.matches) return check;
  const list = d.matches.length
    ? `<ul>${d.matches
        .slice(0, 20)
        .map(
          ({ incident, alert }) =>
            `<li><code>${e(incident.ref)}</code> ${e(alert.labels.alertname ?? alert.fingerprint)}${subjectText(alert) ? ` — ${e(subjectText(alert))}` : ''}</li>`,
        )
        .join('')}</ul>${d.matches.length > 20 ? `<p class="muted">… and ${d.matches.length - 20} more</p>` : ''}`
    : '<p class="muted">Nothing firing now matches; it will mute matching alerts that come later.</p>';
  return `${check}<div class="notice" id="preview"><p>It would mute <strong>${d.matches.length}</strong> alert${d.matches.length === 1 ? '' : 's'} firing now, for ${e(d.duration)}:</p>${list}
<form method="post" action="${action('/incidents/silences', o.token)}"><input type="hidden" name="matchers" value="${e(d.matchers)}"><input type="hidden" name="duration" value="${e(d.duration)}"><input type="hidden" name="comment" value="${e(d.comment)}"><button type="submit">Create silence as ${e(o.viewer)}</button></form></div>`;
}

function notificationsSection(d: IncidentsPageData, o: IncidentsPageOptions): string {
  if (d.notifications.length === 0)
    return '<section><h2>Recent notifications</h2><p class="muted" id="notifications">None yet.</p></section>';
  const rows = d.notifications.map(
    (n) =>
      `<tr><td data-label="when">${e(relativeTime(Date.parse(n.at), o.now))}</td><td data-label="ref"><code>${e(n.ref)}</code></td><td data-label="receiver">${e(n.receiver)}</td><td data-label="where">${e(n.kind)} · ${e(n.channel)}</td><td><span class="badge ${n.state}">${n.state}</span></td><td data-label="detail">${e(n.detail.slice(0, 200))}</td></tr>`,
  );
  return `<section><h2>Recent notifications</h2><table class="stack" id="notifications"><thead><tr><th>when</th><th>ref</th><th>receiver</th><th>where</th><th>state</th><th>detail</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function auditSection(d: IncidentsPageData, o: IncidentsPageOptions): string {
  if (!d.audit) return '';
  const rows = d.audit.map(
    (a) =>
      `<tr><td data-label="when">${e(relativeTime(Date.parse(a.at), o.now))}</td><td data-label="user">${e(a.user || '-')}</td><td data-label="where">${e(a.platform)}</td><td data-label="command"><code>${e([a.command, ...a.args].join(' ').slice(0, 80))}</code></td><td data-label="outcome">${e(a.decision === 'allowed' ? a.result : a.decision)}</td></tr>`,
  );
  return `<section><h2>Audit</h2>${rows.length ? `<table class="stack" id="audit"><thead><tr><th>when</th><th>user</th><th>where</th><th>command</th><th>outcome</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : '<p class="muted" id="audit">Nothing audited yet.</p>'}</section>`;
}

export function incidentsPage(d: IncidentsPageData, o: IncidentsPageOptions): string {
  const open = d.incidents.length
    ? d.incidents.map((i) => incidentCard(i, o)).join('\n')
    : '<p class="muted">No open incidents. 一切正常。</p>';
  return layout(
    `<h1>Incidents</h1>
${o.notice ? `<p class="notice" id="notice">${e(o.notice)}</p>` : ''}
<p class="muted">${d.incidents.length} open · ${d.silences.filter((s) => silenceState(s, o.now) !== 'expired').length} silences in force or pending · signed in as ${e(o.viewer)}</p>
<section id="incidents">${open}</section>
${silencesSection(d, o)}
${notificationsSection(d, o)}
${auditSection(d, o)}`,
    { title: 'Incidents', section: 'incidents' },
  );
}
