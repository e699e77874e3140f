/**
 * The alert model shared by every intake format, the Kubernetes reconcilers and the pipeline.
 * Fingerprints of label-carrying alerts are Alertmanager's, so one alert has one id in both systems.
 */
export type AlertStatus = 'firing' | 'resolved';
export type Severity = 'critical' | 'warning' | 'info';

/** What the alert is about, when known: lets routing find the owner and chat link to `host`/`pod`. */
export interface AlertSubject {
  cluster?: string;
  namespace?: string;
  workload?: string;
  pod?: string;
  container?: string;
  node?: string;
  ip?: string;
}

export interface AlertLinks {
  generator?: string;
  runbook?: string;
  knowledge?: string[];
}

export interface Alert {
  source: string;
  fingerprint: string;
  status: AlertStatus;
  severity: Severity;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** ISO 8601. */
  startsAt: string;
  /** ISO 8601; absent while firing with no known end. */
  endsAt?: string;
  subject: AlertSubject;
  links: AlertLinks;
}

/** Where producers (webhook sources, Kubernetes reconcilers) hand alerts to the pipeline. */
export interface AlertSink {
  emit(alerts: Alert[]): Promise<void>;
}

const encoder = new TextEncoder();

/** Reused across calls: the non-ASCII part of a label is encoded into it without allocating. */
let scratch = new Uint8Array(4096);

/** `00` … `ff`: a fingerprint is printed from these, without number-to-string conversions. */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

const hex32 = (x: number): string =>
  (HEX[x >>> 24] as string) + (HEX[(x >>> 16) & 0xff] as string) + (HEX[(x >>> 8) & 0xff] as string) + (HEX[x & 0xff] as string);

/** Whether `names` are in the order `sort()` gives (UTF-16 code units). */
function inOrder(names: readonly string[]): boolean {
  for (let i = 1; i < names.length; i++) if ((names[i - 1] as string) > (names[i] as string)) return false;
  return true;
}

/**
 * Alertmanager's `model.LabelSet.Fingerprint()`: FNV-1a 64 over the labels sorted by name,
 * each as `name 0xff value 0xff` in UTF-8, printed as 16 lowercase hex digits.
 *
 * The 64-bit state is kept as two 32-bit integer halves, so every step is integer arithmetic:
 * times the prime 2^40 + 0x1b3 is both halves times 0x1b3, plus lo << 40 (lo << 8 into the high
 * half), plus the carry out of lo × 0x1b3, which is computed from lo's 16-bit halves.
 * ASCII, what label names and nearly all values are, is hashed straight from the string's code
 * units; from a string's first other character on, its UTF-8 encoding is hashed instead (lone
 * surrogates encode as U+FFFD, as Go decodes them from JSON).
 */
export function fingerprintOf(labels: Record<string, string>): string {
  let hi = 0xcbf29ce4 | 0;
  let lo = 0x84222325 | 0;
  const names = Object.keys(labels);
  // Prometheus sends label sets sorted (Go's JSON maps are): sorting is needed only when they are not.
  if (!inOrder(names)) names.sort();
  for (let part = 0; part < names.length * 2; part++) {
    const name = names[part >> 1] as string;
    const s = (part & 1) === 0 ? name : (labels[name] ?? '');
    const len = s.length;
    let i = 0;
    for (; i <= len; i++) {
      // The separator after the string is the byte 0xff.
      const byte = i < len ? s.charCodeAt(i) : 0xff;
      if (byte >= 0x80 && i < len) break;
      lo ^= byte;
      const carry = ((lo >>> 16) * 0x1b3 + (((lo & 0xffff) * 0x1b3) >>> 16)) >>> 16;
      hi = (Math.imul(hi, 0x1b3) + (lo << 8) + carry) | 0;
      lo = Math.imul(lo, 0x1b3);
    }
    if (i > len) continue;
    const rest = s.slice(i);
    if (rest.length * 3 + 1 > scratch.length) scratch = new Uint8Array(rest.length * 3 + 1);
    const n = encoder.encodeInto(rest, scratch).written;
    scratch[n] = 0xff;
    for (let j = 0; j <= n; j++) {
      lo ^= scratch[j] as number;
      const carry = ((lo >>> 16) * 0x1b3 + (((lo & 0xffff) * 0x1b3) >>> 16)) >>> 16;
      hi = (Math.imul(hi, 0x1b3) + (lo << 8) + carry) | 0;
      lo = Math.imul(lo, 0x1b3);
    }
  }
  return hex32(hi) + hex32(lo);
}

/** Normalises free-form severities ("P1", "error", "page", "Critical") to the three we use. */
export function severityOf(raw: string | undefined, fallback: Severity = 'warning'): Severity {
  const s = (raw ?? '').toLowerCase();
  if (['critical', 'crit', 'fatal', 'page', 'p0', 'p1', 'emergency', 'alert', 'high'].includes(s)) return 'critical';
  if (['warning', 'warn', 'error', 'err', 'p2', 'p3', 'medium', 'major', 'minor'].includes(s)) return 'warning';
  if (['info', 'informational', 'notice', 'debug', 'none', 'low', 'p4', 'p5', 'ok'].includes(s)) return 'info';
  return fallback;
}
