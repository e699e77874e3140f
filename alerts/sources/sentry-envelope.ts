/**
 * The Sentry envelope framing: a JSON header line, then items, each a JSON header line and a
 * payload that is either exactly `length` bytes (binary allowed) or runs to the next newline.
 * See https://develop.sentry.dev/sdk/data-model/envelopes/.
 */
import { z } from 'zod';
import { parseJsonText } from './body.ts';
import { at, fail, invalid } from './issues.ts';
import type { IntakeFailure } from './types.ts';

export const MAX_ENVELOPE_ITEMS = 1000;

export const envelopeHeaderSchema = z.object({
  event_id: z.string().max(64).nullish(),
  dsn: z.string().max(2048).nullish(),
  sent_at: z.string().max(64).nullish(),
});

export const itemHeaderSchema = z.object({
  type: z.string().min(1).max(64),
  length: z.number().int().nonnegative().nullish(),
  content_type: z.string().max(256).nullish(),
  filename: z.string().max(1024).nullish(),
});

export interface EnvelopeItem {
  index: number;
  header: z.infer<typeof itemHeaderSchema>;
  payload: Buffer;
}

export interface Envelope {
  header: z.infer<typeof envelopeHeaderSchema>;
  items: EnvelopeItem[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function line(buf: Buffer, start: number): { text: Buffer; next: number } {
  const nl = buf.indexOf(0x0a, start);
  return nl === -1 ? { text: buf.subarray(start), next: buf.length } : { text: buf.subarray(start, nl), next: nl + 1 };
}

function jsonLine(bytes: Buffer, what: string): { ok: true; value: unknown } | IntakeFailure {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return fail(400, `${what} is not valid UTF-8`);
  }
  return parseJsonText(text.endsWith('\r') ? text.slice(0, -1) : text, what);
}

/** Splits an (already decoded) envelope body into its header and items. */
export function splitEnvelope(buf: Buffer): { ok: true; value: Envelope } | IntakeFailure {
  const first = line(buf, 0);
  const head = jsonLine(first.text, 'envelope header');
  if (!head.ok) return at(head, 'header');
  const header = envelopeHeaderSchema.safeParse(head.value);
  if (!header.success) return invalid('invalid envelope header', header.error, 'header');
  const items: EnvelopeItem[] = [];
  let pos = first.next;
  while (pos < buf.length) {
    if (buf[pos] === 0x0a || buf[pos] === 0x0d) {
      pos++;
      continue;
    }
    const index = items.length;
    if (index >= MAX_ENVELOPE_ITEMS) return fail(413, `more than ${MAX_ENVELOPE_ITEMS} envelope items`);
    const hl = line(buf, pos);
    const raw = jsonLine(hl.text, `item ${index} header`);
    if (!raw.ok) return at(raw, `items[${index}].header`);
    const itemHeader = itemHeaderSchema.safeParse(raw.value);
    if (!itemHeader.success) return invalid('invalid envelope item header', itemHeader.error, `items[${index}].header`);
    const length = itemHeader.data.length;
    let payload: Buffer;
    if (length !== undefined && length !== null) {
      if (hl.next + length > buf.length) {
        return fail(400, 'envelope item is shorter than its length', [
          { path: `items[${index}].header.length`, message: `declares ${length} bytes, ${buf.length - hl.next} remain` },
        ]);
      }
      payload = buf.subarray(hl.next, hl.next + length);
      pos = hl.next + length;
      if (buf[pos] === 0x0a) pos++;
    } else {
      const pl = line(buf, hl.next);
      payload = pl.text;
      pos = pl.next;
    }
    items.push({ index, header: itemHeader.data, payload });
  }
  return { ok: true, value: { header: header.data, items } };
}
