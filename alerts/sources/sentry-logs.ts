/**
 * Sentry structured logs (`log` envelope items): records at level `error` or `fatal` become
 * {@link SentryEvent}s grouped by their message template, so log lines such as an agent's OOM
 * reports can drive frequency rules; lower levels are ignored.
 */
import { z } from 'zod';
import { subjectFromLabels } from './subject.ts';
import { derivedEventId, levelOf } from './sentry-event.ts';
import { groupKeyOf, parameterize } from './sentry-grouping.ts';
import type { SentryEvent } from './types.ts';

const attributeSchema = z.object({ value: z.unknown(), type: z.string().max(32).nullish() });

export const sentryLogPayloadSchema = z.object({
  items: z
    .array(
      z.object({
        timestamp: z.number().nullish(),
        level: z.string().max(32).nullish(),
        body: z.string().max(64 * 1024),
        trace_id: z.string().max(64).nullish(),
        attributes: z.record(z.string().max(256), attributeSchema).nullish(),
      }),
    )
    .max(10_000),
});

export type SentryLogPayload = z.infer<typeof sentryLogPayloadSchema>;

function attr(attributes: Record<string, { value?: unknown }>, name: string): string | undefined {
  const v = attributes[name]?.value;
  if (typeof v === 'string') return v.slice(0, 1024);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Error and fatal log records as events. */
export function eventsFromLogs(payload: SentryLogPayload, projectId: string, receivedAt: Date): SentryEvent[] {
  const events: SentryEvent[] = [];
  for (const item of payload.items) {
    const level = levelOf(item.level);
    if (level !== 'error' && level !== 'fatal') continue;
    const attributes = item.attributes ?? {};
    const tags: Record<string, string> = {};
    let n = 0;
    for (const name of Object.keys(attributes)) {
      if (name.startsWith('sentry.')) continue;
      const v = attr(attributes, name);
      if (v !== undefined) tags[name] = v;
      if (++n >= 64) break;
    }
    const template = attr(attributes, 'sentry.message.template') ?? item.body;
    const grouping = ['log', parameterize(template)];
    const ms = typeof item.timestamp === 'number' ? item.timestamp * 1000 : NaN;
    const timestamp = Number.isFinite(ms) && ms > 0 && ms < 8.64e15 ? new Date(ms).toISOString() : receivedAt.toISOString();
    const title = (item.body.split('\n', 1)[0] ?? '').slice(0, 256);
    const event: SentryEvent = {
      projectId,
      groupKey: groupKeyOf(projectId, grouping),
      grouping,
      eventId: derivedEventId(projectId, item.trace_id ?? '', timestamp, item.body),
      title,
      level,
      timestamp,
      tags,
      contexts: {},
      subject: subjectFromLabels(tags),
    };
    if (item.body !== title) event.message = item.body.slice(0, 4096);
    const environment = attr(attributes, 'sentry.environment');
    if (environment) event.environment = environment;
    const release = attr(attributes, 'sentry.release');
    if (release) event.release = release;
    const serverName = attr(attributes, 'server.address');
    if (serverName) {
      event.serverName = serverName;
      if (!event.subject.node && !event.subject.pod) event.subject.node = serverName;
    }
    events.push(event);
  }
  return events;
}
