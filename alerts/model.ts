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

/**
 * Alertmanager's `model.LabelSet.Fingerprint()`: FNV-1a 64 over the labels sorted by name,
 * each as `name 0xff value 0xff`, printed as 16 lowercase hex digits. The 64-bit state is kept
 * as two 32-bit halves so the hot path stays in plain numbers.
 */
export function fingerprintOf(labels: Record<string, string>): string {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  const add = (byte: number) => {
    lo ^= byte;
    // prime = 2^40 + 0x1b3: multiply both halves by 0x1b3 and add lo << 40 into the high half.
    const loMul = (lo >>> 0) * 0x1b3;
    const carry = Math.floor(loMul / 0x100000000);
    hi = ((hi >>> 0) * 0x1b3 + ((lo << 8) >>> 0) + carry) >>> 0;
    lo = loMul >>> 0;
  };
  const addString = (s: string) => {
    // ASCII is its own UTF-8: skip the encoder (and its allocation) on the hot path.
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        for (const b of encoder.encode(s.slice(i))) add(b);
        return;
      }
      add(c);
    }
  };
  for (const name of Object.keys(labels).sort()) {
    addString(name);
    add(0xff);
    addString(labels[name] ?? '');
    add(0xff);
  }
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

/** Normalises free-form severities ("P1", "error", "page", "Critical") to the three we use. */
export function severityOf(raw: string | undefined, fallback: Severity = 'warning'): Severity {
  const s = (raw ?? '').toLowerCase();
  if (['critical', 'crit', 'fatal', 'page', 'p0', 'p1', 'emergency', 'alert', 'high'].includes(s)) return 'critical';
  if (['warning', 'warn', 'error', 'err', 'p2', 'p3', 'medium', 'major', 'minor'].includes(s)) return 'warning';
  if (['info', 'informational', 'notice', 'debug', 'none', 'low', 'p4', 'p5', 'ok'].includes(s)) return 'info';
  return fallback;
}
