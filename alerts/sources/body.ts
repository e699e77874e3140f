/**
 * Turning a raw body into a JSON value: content decoding (gzip, deflate, brotli) with an inflation
 * limit, strict UTF-8, prototype-poisoning rejection (`__proto__`, `constructor.prototype`) and a
 * nesting limit. Every failure is an {@link IntakeFailure}; nothing here throws.
 *
 * Inflating runs on the zlib thread pool, never on the event loop, and stops with a 413 as soon as
 * the output passes the limit: a compressed bomb costs at most the limit (plus one zlib chunk) in
 * memory, whatever it claims to expand to.
 */
import { brotliDecompress, gunzip, inflate as inflateZlib, inflateRaw, type ZlibOptions } from 'node:zlib';
import secureJson from 'secure-json-parse';
import { BODY_PATH, fail } from './issues.ts';
import type { IntakeFailure, IntakeRequest, SourceOptions } from './types.ts';

export const DEFAULT_MAX_INFLATED_BYTES = 16 * 1024 * 1024;
export const MAX_JSON_DEPTH = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export type Decoded<T> = { ok: true; value: T } | IntakeFailure;

/** First value of a header (names are lower case). */
export function headerValue(headers: IntakeRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function isTooLarge(err: unknown): boolean {
  return err instanceof RangeError || (err as { code?: string } | null)?.code === 'ERR_BUFFER_TOO_LARGE';
}

type ZlibCall = (buf: Buffer, options: ZlibOptions, callback: (err: Error | null, out: Buffer) => void) => void;

/** One zlib convenience call off the event loop; `maxOutputLength` makes it fail instead of growing past the limit. */
function run(fn: ZlibCall, buf: Buffer, maxOutputLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => fn(buf, { maxOutputLength }, (err, out) => (err ? reject(err) : resolve(out))));
}

function inflate(buf: Buffer, encoding: string, maxOutputLength: number): Promise<Buffer> {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return run(gunzip, buf, maxOutputLength);
    case 'deflate':
      // Some clients send raw deflate without the zlib wrapper (0x78 first byte).
      return run(buf[0] === 0x78 ? inflateZlib : inflateRaw, buf, maxOutputLength);
    case 'br':
      return run(brotliDecompress as ZlibCall, buf, maxOutputLength);
    default:
      return Promise.reject(new TypeError(`unsupported content encoding "${encoding}"`));
  }
}

/** zlib-wrapped deflate data (e.g. a legacy Sentry store payload), inflated off the event loop within `maxOutputLength`. */
export function inflateZlibData(buf: Buffer, maxOutputLength: number): Promise<Buffer> {
  return run(inflateZlib, buf, maxOutputLength);
}

/** Undoes `Content-Encoding` (a list is undone last to first). */
export async function decodeBody(req: IntakeRequest, options: SourceOptions): Promise<Decoded<Buffer>> {
  const header = (headerValue(req.headers, 'content-encoding') ?? '').toLowerCase();
  const encodings = header
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '' && e !== 'identity');
  const max = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
  let buf = req.rawBody;
  for (const encoding of encodings.reverse()) {
    if (!['gzip', 'x-gzip', 'deflate', 'br'].includes(encoding)) {
      return fail(415, `unsupported Content-Encoding "${encoding.slice(0, 40)}"`);
    }
    try {
      buf = await inflate(buf, encoding, max);
    } catch (err) {
      if (isTooLarge(err)) return fail(413, `body inflates to more than ${max} bytes`);
      return fail(400, `body is not valid ${encoding} data`, [{ path: BODY_PATH, message: (err as Error).message }]);
    }
  }
  return { ok: true, value: buf };
}

/** Strict UTF-8 (a leading BOM is dropped). */
export function decodeUtf8(buf: Buffer): Decoded<string> {
  try {
    return { ok: true, value: utf8.decode(buf) };
  } catch {
    return fail(400, 'body is not valid UTF-8');
  }
}

/** Iterative walk: true when arrays/objects nest deeper than `max`. */
export function tooDeep(value: unknown, max = MAX_JSON_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (depth > max) return true;
    if (Array.isArray(v)) {
      for (const item of v) if (item !== null && typeof item === 'object') stack.push([item, depth + 1]);
    } else {
      for (const key in v as Record<string, unknown>) {
        const item = (v as Record<string, unknown>)[key];
        if (item !== null && typeof item === 'object') stack.push([item, depth + 1]);
      }
    }
  }
  return false;
}

/** Parses JSON text, rejecting prototype keys and absurd nesting. */
export function parseJsonText(text: string, what = 'body'): Decoded<unknown> {
  if (text.trim() === '') return fail(400, `${what} is empty`);
  let value: unknown;
  try {
    value = secureJson.parse(text, null, { protoAction: 'error', constructorAction: 'error' });
  } catch (err) {
    const message = (err as Error).message;
    if (/prototype/i.test(message)) return fail(400, `${what} contains a forbidden key (__proto__ or constructor.prototype)`);
    return fail(400, `${what} is not valid JSON`, [{ path: BODY_PATH, message: message.slice(0, 200) }]);
  }
  if (tooDeep(value)) return fail(400, `${what} nests deeper than ${MAX_JSON_DEPTH} levels`);
  return { ok: true, value };
}

/** Decoding, UTF-8 and JSON in one step: what every JSON webhook format needs. */
export async function readJsonBody(req: IntakeRequest, options: SourceOptions): Promise<Decoded<unknown>> {
  const body = await decodeBody(req, options);
  if (!body.ok) return body;
  const text = decodeUtf8(body.value);
  if (!text.ok) return text;
  return parseJsonText(text.value);
}
