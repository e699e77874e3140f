import { describe, expect, it } from 'vitest';
import { evaluateFrequency, frequencyRuleSchema, ruleMatches, selectRule } from '../../../../alerts/sources/sentry-frequency.ts';
import type { FrequencyRule } from '../../../../alerts/sources/sentry-frequency.ts';
import type { SentryEvent } from '../../../../alerts/sources/types.ts';

const event: SentryEvent = {
  projectId: '42',
  groupKey: '0123456789abcdef',
  grouping: ['log', 'OOM killed <int>'],
  eventId: 'a'.repeat(32),
  title: 'OOM killed 4242',
  level: 'error',
  environment: 'production',
  timestamp: '2026-11-26T21:00:00.000Z',
  tags: { agent: 'oom-monitor', node: 'node-7' },
  contexts: {},
  subject: { node: 'node-7', namespace: 'db' },
};
const oomRule: FrequencyRule = frequencyRuleSchema.parse({
  name: 'ContainerOOM',
  count: 2,
  windowSeconds: 20,
  match: { level: ['error', 'fatal'], tags: { agent: 'oom-monitor' } },
});
const now = new Date('2026-11-26T21:00:05.000Z');

describe('Sentry frequency rules (pure part)', () => {
  it('matches on level, project, environment, tags and title', () => {
    expect(ruleMatches(oomRule, event)).toBe(true);
    expect(ruleMatches(oomRule, { ...event, level: 'warning' })).toBe(false);
    expect(ruleMatches(oomRule, { ...event, tags: {} })).toBe(false);
    const byProject = frequencyRuleSchema.parse({ name: 'p', count: 1, windowSeconds: 1, match: { projectId: '7', title: '^OOM' } });
    expect(ruleMatches(byProject, event)).toBe(false);
    expect(ruleMatches(byProject, { ...event, projectId: '7' })).toBe(true);
    expect(selectRule([byProject, oomRule], event)).toBe(oomRule);
    expect(selectRule([byProject], event)).toBeUndefined();
  });

  it('fires once the count is reached inside the window', () => {
    expect(evaluateFrequency(oomRule, event, 1, now)).toBeUndefined();
    const alert = evaluateFrequency(oomRule, event, 2, now, {
      generatorUrl: 'https://sentry.example.com/organizations/acme/issues/?project={projectId}&query={eventId}',
    });
    expect(alert).toMatchObject({
      source: 'sentry',
      fingerprint: event.groupKey,
      status: 'firing',
      severity: 'warning',
      labels: { alertname: 'ContainerOOM', project: '42', level: 'error', environment: 'production', node: 'node-7', namespace: 'db' },
      annotations: { summary: 'OOM killed 4242', count: '2', window: '20s' },
      startsAt: now.toISOString(),
      endsAt: '2026-11-26T21:01:05.000Z',
      subject: { node: 'node-7', namespace: 'db' },
      links: { generator: `https://sentry.example.com/organizations/acme/issues/?project=42&query=${'a'.repeat(32)}` },
    });
  });

  it('validates rules', () => {
    expect(frequencyRuleSchema.parse({ count: 2, windowSeconds: 20 }).name).toBe('SentryEventFrequency');
    expect(frequencyRuleSchema.safeParse({ name: 'x', count: 0, windowSeconds: 20 }).success).toBe(false);
    expect(frequencyRuleSchema.safeParse({ name: 'x', count: 2, windowSeconds: -1 }).success).toBe(false);
    expect(frequencyRuleSchema.safeParse({ name: 'x', count: 2, windowSeconds: 20, match: { level: 'loud' } }).success).toBe(false);
    expect(frequencyRuleSchema.safeParse({ name: 'x', count: 2, windowSeconds: 20, match: { title: '(' } }).success).toBe(false);
  });
});
