import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeBody, inflateZlibData } from '../../../../alerts/sources/body.ts';
import { intakeRequest } from './intake-request.ts';

const MiB = 1024 * 1024;

/** A gzip body that claims 1 GiB: 64 concatenated gzip members of 16 MiB of zeros each (about 1 MiB on the wire). */
function gzipBomb(): Buffer {
  const member = gzipSync(Buffer.alloc(16 * MiB));
  return Buffer.concat(Array.from({ length: 64 }, () => member));
}

/** Runs `work` while sampling the process's ArrayBuffer memory and counting event-loop turns. */
async function observe<T>(work: () => Promise<T>): Promise<{ result: T; turns: number; peakGrowth: number }> {
  const base = process.memoryUsage().arrayBuffers;
  let peak = base;
  let turns = 0;
  let running = true;
  const spin = () => {
    turns++;
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    if (running) setImmediate(spin);
  };
  setImmediate(spin);
  const result = await work();
  running = false;
  peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  return { result, turns, peakGrowth: peak - base };
}

describe('request body decoding', () => {
  it('answers 413 to a gzip bomb without inflating it past the limit, off the event loop', async () => {
    const bomb = gzipBomb();
    expect(bomb.length).toBeLessThan(2 * MiB);
    const req = intakeRequest(bomb, { headers: { 'content-encoding': 'gzip' } });
    const { result, turns, peakGrowth } = await observe(() => decodeBody(req, { maxInflatedBytes: 4 * MiB }));
    expect(result).toMatchObject({ ok: false, status: 413, error: `body inflates to more than ${4 * MiB} bytes` });
    // The bomb claims 1 GiB; what was allocated stays near the limit.
    expect(peakGrowth).toBeLessThan(64 * MiB);
    expect(turns).toBeGreaterThan(0);
  });

  it('inflates a body within the limit while the event loop keeps turning', async () => {
    const json = Buffer.from(JSON.stringify({ title: '告警', filler: 'x'.repeat(8 * MiB) }));
    const req = intakeRequest(gzipSync(json), { headers: { 'content-encoding': 'gzip' } });
    const { result, turns } = await observe(() => decodeBody(req, { maxInflatedBytes: 16 * MiB }));
    expect(result.ok && result.value.equals(json)).toBe(true);
    expect(turns).toBeGreaterThan(0);
  });

  it('undoes a list of encodings last to first, each within the limit', async () => {
    const json = Buffer.from('{"title":"x"}');
    const req = intakeRequest(gzipSync(deflateSync(json)), { headers: { 'content-encoding': 'deflate, gzip' } });
    const result = await decodeBody(req, {});
    expect(result.ok && result.value.toString()).toBe('{"title":"x"}');
    const small = await decodeBody(intakeRequest(gzipSync(Buffer.alloc(2048)), { headers: { 'content-encoding': 'gzip' } }), {
      maxInflatedBytes: 1024,
    });
    expect(small).toMatchObject({ ok: false, status: 413 });
  });

  it('inflates zlib data (legacy Sentry store bodies) within the limit only', async () => {
    await expect(inflateZlibData(deflateSync(Buffer.from('ok')), 1024)).resolves.toEqual(Buffer.from('ok'));
    await expect(inflateZlibData(deflateSync(Buffer.alloc(64 * MiB)), MiB)).rejects.toMatchObject({ code: 'ERR_BUFFER_TOO_LARGE' });
  });
});
