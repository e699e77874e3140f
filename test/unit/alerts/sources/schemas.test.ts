import { describe, expect, it } from 'vitest';
import { sourceOptionsSchema } from '../../../../alerts/sources/options.ts';
import {
  annotationsSchema,
  isoOrUndefined,
  labelsSchema,
  timestampOf,
  timestampSchema,
  validTimestamp,
} from '../../../../alerts/sources/schemas.ts';

describe('timestamps', () => {
  it('normalises RFC 3339 forms to ISO 8601 UTC with milliseconds', () => {
    expect(isoOrUndefined('2026-11-26T21:04:35.123456789Z')).toBe('2026-11-26T21:04:35.123Z');
    expect(isoOrUndefined('2026-11-26T21:04:35Z')).toBe('2026-11-26T21:04:35.000Z');
    expect(isoOrUndefined('2026-11-26T21:04:35.5Z')).toBe('2026-11-26T21:04:35.500Z');
    expect(isoOrUndefined('2026-11-27T05:04:35.5+08:00')).toBe('2026-11-26T21:04:35.500Z');
    expect(isoOrUndefined('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
  });

  it("drops Go's zero time, impossible days and garbage", () => {
    expect(isoOrUndefined('0001-01-01T00:00:00Z')).toBeUndefined();
    expect(isoOrUndefined('2026-02-29T00:00:00Z')).toBeUndefined();
    expect(isoOrUndefined('2026-04-31T00:00:00Z')).toBeUndefined();
    expect(isoOrUndefined('soon')).toBeUndefined();
    expect(timestampSchema.safeParse('2026-02-30T00:00:00Z').success).toBe(false);
    expect(timestampSchema.safeParse('0001-01-01T00:00:00Z').success).toBe(true);
    expect(timestampSchema.safeParse('2026-11-26T21:04:35.5+08:00').success).toBe(true);
    expect(timestampSchema.safeParse('yesterday').success).toBe(false);
  });
});

describe('timestamps read once', () => {
  it('gives the same reading however often a text is read, with epoch ms as Date.parse gives them', () => {
    const texts = [
      '2026-11-26T21:04:35.123456789Z',
      '2026-11-27T05:04:35.5+08:00',
      '0001-01-01T00:00:00Z',
      '1970-01-01T00:00:00Z',
      '1970-01-01T00:00:00+00:00',
      '2026-02-29T00:00:00Z',
      '2026-11-26T23:59:60Z',
      'soon',
      `2026-11-26T21:04:35${'0'.repeat(80)}Z`,
    ];
    const first = texts.map((t) => [validTimestamp(t), timestampOf(t)]);
    for (let i = 0; i < 3; i++) expect(texts.map((t) => [validTimestamp(t), timestampOf(t)])).toEqual(first);
    for (const t of texts) {
      const at = timestampOf(t);
      expect(at?.iso).toBe(isoOrUndefined(t));
      if (at) expect(at.ms).toBe(Date.parse(at.iso));
    }
    expect(first.map(([valid]) => valid)).toEqual([true, true, true, true, true, false, true, false, false]);
    expect(timestampOf('1970-01-01T00:00:00Z')).toEqual({ iso: '1970-01-01T00:00:00.000Z', ms: 0 });
    expect(timestampOf('1970-01-01T00:00:00+00:00')).toBeUndefined();
  });
});

describe('label and annotation maps', () => {
  it('accepts UTF-8 names and empty values, rejects the rest with the key in the path', () => {
    expect(labelsSchema.parse({ 'app.kubernetes.io/name': 'mysql', 服务: '数据库', empty: '' })).toEqual({
      'app.kubernetes.io/name': 'mysql',
      服务: '数据库',
      empty: '',
    });
    const bad = labelsSchema.safeParse({ ok: 'x', n: 1, arr: [], long: 'x'.repeat(8193), '': 'v' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['', 'arr', 'long', 'n']);
    expect(labelsSchema.safeParse(['a']).success).toBe(false);
    expect(labelsSchema.safeParse(undefined).success).toBe(false);
    expect(annotationsSchema.safeParse({ description: 'x'.repeat(60_000) }).success).toBe(true);
    expect(annotationsSchema.safeParse(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`a${i}`, 'v']))).success).toBe(false);
  });
});

describe('source options', () => {
  it('validates the configuration block', () => {
    expect(sourceOptionsSchema.parse({})).toEqual({});
    expect(
      sourceOptionsSchema.safeParse({ sentryProjects: { '42': { keys: ['publickey'] } }, sentryWebhookSecrets: ['s'], cluster: 'prod' })
        .success,
    ).toBe(true);
    expect(sourceOptionsSchema.safeParse({ sentryProjects: { '42': { keys: [] } } }).success).toBe(false);
    expect(sourceOptionsSchema.safeParse({ maxAlerts: 0 }).success).toBe(false);
  });
});
