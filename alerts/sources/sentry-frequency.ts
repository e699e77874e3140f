/**
 * Frequency rules for Sentry SDK events: "2 events of one group within 20 s → alert".
 *
 * Input: {@link SentryEvent}s from the envelope/store sources. Output: firing {@link Alert}s, one per
 * group that reached its rule's count in the window (fingerprint = the group key). Counting lives in
 * Redis (one sorted set per group, trimmed to the window by an atomic Lua script), so every replica
 * sees the same counts; an event delivered twice (same event id) is counted once. Rules are tried in
 * order and the first whose `match` applies counts the event.
 */
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { z } from 'zod';
import { redisKeys } from '../../core/redis-keys.ts';
import type { Alert, Severity } from '../model.ts';
import type { SentryEvent, SentryLevel } from './types.ts';

const levelSchema = z.enum(['fatal', 'error', 'warning', 'info', 'debug']);
const oneOrMany = <T extends z.ZodType>(s: T) => z.union([s, z.array(s).min(1)]);

export const frequencyRuleSchema = z.object({
  /** The alert's `alertname`. */
  name: z.string().min(1).max(128).default('SentryEventFrequency'),
  count: z.number().int().min(1).max(1_000_000),
  windowSeconds: z
    .number()
    .positive()
    .max(7 * 86400),
  severity: z.enum(['critical', 'warning', 'info']).optional(),
  /** How long the alert stays firing without new events (default: the window, at least 60 s). */
  resolveAfterSeconds: z
    .number()
    .positive()
    .max(7 * 86400)
    .optional(),
  match: z
    .object({
      level: oneOrMany(levelSchema).optional(),
      projectId: oneOrMany(z.string().min(1)).optional(),
      environment: oneOrMany(z.string().min(1)).optional(),
      tags: z.record(z.string(), z.string()).optional(),
      /** Regular expression tested against the title. */
      title: z
        .string()
        .max(1024)
        .refine((re) => {
          try {
            new RegExp(re);
            return true;
          } catch {
            return false;
          }
        }, 'not a valid regular expression')
        .optional(),
    })
    .optional(),
});

export type FrequencyRule = z.infer<typeof frequencyRuleSchema>;

function includes<T>(want: T | T[] | undefined, value: T | undefined): boolean {
  if (want === undefined) return true;
  if (value === undefined) return false;
  return Array.isArray(want) ? want.includes(value) : want === value;
}

const patterns = new Map<string, RegExp>();
function titlePattern(source: string): RegExp {
  let re = patterns.get(source);
  if (!re) {
    re = new RegExp(source);
    patterns.set(source, re);
  }
  return re;
}

/** Whether the rule applies to the event (rules come from the schema, so patterns compile). */
export function ruleMatches(rule: FrequencyRule, event: SentryEvent): boolean {
  const m = rule.match;
  if (!m) return true;
  if (!includes<SentryLevel>(m.level, event.level)) return false;
  if (!includes(m.projectId, event.projectId)) return false;
  if (!includes(m.environment, event.environment)) return false;
  for (const [k, v] of Object.entries(m.tags ?? {})) if (event.tags[k] !== v) return false;
  if (m.title !== undefined && !titlePattern(m.title).test(event.title)) return false;
  return true;
}

/** The first rule that applies, if any. */
export function selectRule(rules: FrequencyRule[], event: SentryEvent): FrequencyRule | undefined {
  return rules.find((r) => ruleMatches(r, event));
}

const LEVEL_SEVERITY: Record<SentryLevel, Severity> = {
  fatal: 'critical',
  error: 'warning',
  warning: 'warning',
  info: 'info',
  debug: 'info',
};

/** Options for links on frequency alerts. */
export interface FrequencyAlertOptions {
  /** Link template with `{projectId}`, `{groupKey}` and `{eventId}` placeholders, e.g. a Sentry issue search. */
  generatorUrl?: string;
}

/**
 * The alert for `count` events of the event's group in the rule's window, or `undefined` while the
 * count is below the rule's. Pure.
 */
export function evaluateFrequency(
  rule: FrequencyRule,
  event: SentryEvent,
  count: number,
  now: Date,
  options: FrequencyAlertOptions = {},
): Alert | undefined {
  if (count < rule.count) return undefined;
  const labels: Record<string, string> = {
    alertname: rule.name,
    project: event.projectId,
    level: event.level,
    sentry_group: event.groupKey,
  };
  if (event.environment) labels.environment = event.environment;
  const s = event.subject;
  if (s.cluster) labels.cluster = s.cluster;
  if (s.namespace) labels.namespace = s.namespace;
  if (s.pod) labels.pod = s.pod;
  if (s.node) labels.node = s.node;
  const annotations: Record<string, string> = {
    summary: event.title,
    count: String(count),
    window: `${rule.windowSeconds}s`,
    rule: `${rule.count} events in ${rule.windowSeconds}s`,
    last_event_id: event.eventId,
    last_seen: event.timestamp,
  };
  if (event.message) annotations.description = event.message;
  if (event.culprit) annotations.culprit = event.culprit;
  if (event.release) annotations.release = event.release;
  const resolveAfter = rule.resolveAfterSeconds ?? Math.max(rule.windowSeconds, 60);
  const alert: Alert = {
    source: 'sentry',
    fingerprint: event.groupKey,
    status: 'firing',
    severity: rule.severity ?? LEVEL_SEVERITY[event.level],
    labels,
    annotations,
    startsAt: now.toISOString(),
    endsAt: new Date(now.getTime() + resolveAfter * 1000).toISOString(),
    subject: { ...event.subject },
    links: {},
  };
  if (options.generatorUrl) {
    alert.links.generator = options.generatorUrl
      .replaceAll('{projectId}', encodeURIComponent(event.projectId))
      .replaceAll('{groupKey}', event.groupKey)
      .replaceAll('{eventId}', event.eventId);
  }
  return alert;
}

/** Adds the event, drops members older than the window, returns how many remain. */
const COUNT_SCRIPT = `
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (tonumber(ARGV[1]) - tonumber(ARGV[2])))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return redis.call('ZCARD', KEYS[1])
`;
const COUNT_SHA = createHash('sha1').update(COUNT_SCRIPT).digest('hex');

export interface SentryFrequencyDeps extends FrequencyAlertOptions {
  redis: Redis | Cluster;
  /** The process's key prefix (`redis.prefix`, e.g. `{firstmate}`); see core/redis-keys.ts. */
  prefix: string;
  rules: FrequencyRule[];
}

export interface SentryFrequencyCounter {
  /**
   * Counts the events (at `now`, normally the delivery's `receivedAt`) and returns one alert per
   * group at or over its rule's count. Rejects when Redis fails; retrying is safe because an event
   * id is counted once per window.
   */
  observe(events: SentryEvent[], now?: Date): Promise<Alert[]>;
}

export function createSentryFrequencyCounter(deps: SentryFrequencyDeps): SentryFrequencyCounter {
  const { redis, rules } = deps;
  const keys = redisKeys(deps.prefix);
  async function count(key: string, nowMs: number, windowMs: number, member: string): Promise<number> {
    const args = [key, String(nowMs), String(windowMs), member];
    try {
      return Number(await redis.evalsha(COUNT_SHA, 1, ...args));
    } catch (err) {
      if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
      return Number(await redis.eval(COUNT_SCRIPT, 1, ...args));
    }
  }
  return {
    async observe(events, now = new Date()) {
      const counted = await Promise.all(
        events.map(async (event) => {
          const rule = selectRule(rules, event);
          if (!rule) return undefined;
          const key = keys.sentryFrequency(event.projectId, event.groupKey);
          const n = await count(key, now.getTime(), Math.ceil(rule.windowSeconds * 1000), event.eventId);
          return { rule, event, n };
        }),
      );
      const latest = new Map<string, { rule: FrequencyRule; event: SentryEvent; n: number }>();
      for (const c of counted) if (c && c.n >= (latest.get(c.event.groupKey)?.n ?? 0)) latest.set(c.event.groupKey, c);
      const alerts: Alert[] = [];
      for (const { rule, event, n } of latest.values()) {
        const alert = evaluateFrequency(rule, event, n, now, deps);
        if (alert) alerts.push(alert);
      }
      return alerts;
    },
  };
}
