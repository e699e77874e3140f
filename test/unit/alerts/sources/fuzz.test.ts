/**
 * Hostile and malformed deliveries against every source: parsing never throws, answers a 4xx with
 * details, and never touches Object.prototype.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { sources } from '../../../../alerts/sources/index.ts';
import type { IntakeRequest, IntakeResult, Source, SourceOptions } from '../../../../alerts/sources/types.ts';
import { fixture, intakeRequest } from './intake-request.ts';
import { rng } from '../../../helpers/rng.ts';

const random = rng(20261126);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
const options: SourceOptions = { maxInflatedBytes: 1024 * 1024, sentryWebhookSecrets: [] };
const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20));
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

const validBodies: Record<string, Buffer> = {
  alertmanager: fixture('alertmanager-firing-resolved.json'),
  prometheus: Buffer.from(
    JSON.stringify([
      {
        labels: { alertname: 'x', severity: 'critical' },
        annotations: { summary: 's' },
        startsAt: '2026-01-01T00:00:00Z',
        endsAt: '2026-01-01T01:00:00Z',
        generatorURL: 'http://127.0.0.1:9090/graph',
      },
    ]),
  ),
  'sentry-envelope': fixture('sentry-envelope-exception.envelope'),
  'sentry-store': Buffer.from(JSON.stringify({ message: 'x', level: 'error' })),
  'sentry-webhook': fixture('sentry-webhook-issue-created.json'),
  kubernetes: fixture('kubernetes-event-list.json'),
  generic: Buffer.from(JSON.stringify([{ title: 'x', labels: { a: 'b' } }])),
};

function request(source: Source, body: Buffer, headers: IntakeRequest['headers'] = {}): IntakeRequest {
  const h: IntakeRequest['headers'] = source.name === 'sentry-webhook' ? { 'sentry-hook-resource': 'issue', ...headers } : headers;
  return intakeRequest(body, { params: { projectId: '42' }, headers: h });
}

/** Parses; the promise must never reject, whatever the bytes. */
async function run(source: Source, req: IntakeRequest): Promise<IntakeResult> {
  const parsing = source.parse(req, options);
  await expect(parsing).resolves.toBeDefined();
  return parsing;
}

function expectRejected(result: IntakeResult, statuses: number[] = [400]) {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(statuses).toContain(result.status);
  expect(result.error.length).toBeGreaterThan(0);
  expect(result.details?.length).toBeGreaterThan(0);
  for (const d of result.details ?? []) {
    expect(typeof d.path).toBe('string');
    expect(typeof d.message).toBe('string');
  }
}

function expectWellFormed(result: IntakeResult) {
  if (!result.ok) {
    expectRejected(result, [400, 401, 413, 415]);
    return;
  }
  for (const a of result.alerts) {
    expect(['firing', 'resolved']).toContain(a.status);
    expect(['critical', 'warning', 'info']).toContain(a.severity);
    expect(typeof a.fingerprint).toBe('string');
    expect(Number.isNaN(Date.parse(a.startsAt))).toBe(false);
  }
}

/** Replaces one random leaf of a JSON value with a hostile value. */
function mutate(value: unknown, hostile: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0) return hostile;
    const i = Math.floor(random() * value.length);
    return value.map((v, j) => (j === i ? mutate(v, hostile) : v));
  }
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0 || random() < 0.15) return hostile;
    const k = pick(keys);
    return { ...(value as Record<string, unknown>), [k]: mutate((value as Record<string, unknown>)[k], hostile) };
  }
  return hostile;
}

const hostileValues: unknown[] = [
  null,
  0,
  -1,
  1e308,
  true,
  [],
  {},
  [[[]]],
  'x'.repeat(70_000),
  { a: { b: { c: {} } } },
  ['a', 1, null],
  Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, 'v'])),
];

describe.each(sources.map((s) => [s.name, s] as const))('fuzzing %s', (name, source) => {
  const valid = validBodies[name] as Buffer;

  it('rejects random bytes, truncations and empty bodies', async () => {
    expectRejected(await run(source, request(source, Buffer.alloc(0))));
    for (let i = 0; i < 60; i++) {
      const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 300) }, () => Math.floor(random() * 256)));
      expectWellFormed(await run(source, request(source, bytes)));
      const cut = valid.subarray(0, Math.floor(random() * (valid.length - 2)) + 1);
      expectWellFormed(await run(source, request(source, cut)));
    }
  });

  it('validates mutated payloads (wrong types, huge strings, many keys)', async () => {
    const lines = valid.toString().split('\n');
    const envelope = name === 'sentry-envelope';
    const parsed = JSON.parse(envelope ? (lines[2] as string) : valid.toString()) as unknown;
    for (let i = 0; i < 150; i++) {
      const mutated = JSON.stringify(mutate(parsed, pick(hostileValues)));
      const body = Buffer.from(envelope ? [lines[0], lines[1], mutated].join('\n') : mutated);
      expectWellFormed(await run(source, request(source, body)));
    }
  });

  it('rejects prototype keys, deep nesting, invalid UTF-8 and non-objects', async () => {
    const text = valid.toString();
    const bodies =
      name === 'sentry-envelope'
        ? [
            `{}\n{"type":"event"}\n{"__proto__":{"polluted":true},"message":"x"}\n`,
            `{}\n{"type":"event"}\n{"constructor":{"prototype":{"polluted":true}}}\n`,
            `{"__proto__":{"polluted":true}}\n`,
            `{}\n{"type":"event"}\n${'['.repeat(5000)}${']'.repeat(5000)}\n`,
            `{}\n{"type":"event","length":-5}\nabc\n`,
            `{}\n{"type":"event","length":99999999}\nabc\n`,
            `{}\n{"type":7}\n{}\n`,
            `[]\n`,
          ]
        : [
            ...[
              text.replace(/^\s*\{/, '{"__proto__":{"polluted":true},'),
              text.replace(/^\s*\[\s*\{/, '[{"__proto__":{"polluted":true},'),
              text.replace(/"labels":\s*\{/, '"labels":{"__proto__":{"polluted":"yes"},'),
              text.replace(/"involvedObject":\s*\{/, '"involvedObject":{"__proto__":{"polluted":"yes"},'),
              text.replace(/^\s*\{/, '{"constructor":{"prototype":{"polluted":true}},'),
            ].filter((b) => b !== text),
            `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
            `${'{"a":'.repeat(200)}1${'}'.repeat(200)}`,
            'null',
            '42',
            '"string"',
            'true',
          ];
    for (const body of bodies) expectRejected(await run(source, request(source, Buffer.from(body))), [400, 413]);
    const invalidUtf8 = Buffer.concat([valid.subarray(0, 20), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), valid.subarray(20)]);
    expectRejected(await run(source, request(source, invalidUtf8)));
  });

  it('rejects broken, unsupported and bomb encodings', async () => {
    expectRejected(await run(source, request(source, valid, { 'content-encoding': 'gzip' })));
    expectRejected(await run(source, request(source, Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0]), { 'content-encoding': 'gzip' })));
    expectRejected(await run(source, request(source, valid, { 'content-encoding': 'compress' })), [415]);
    expectRejected(await run(source, request(source, bomb, { 'content-encoding': 'gzip' })), [413]);
  });
});

describe('fuzzing leaves no trace', () => {
  afterAll(() => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
  });
  it('Object.prototype is untouched', async () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
  });
});
