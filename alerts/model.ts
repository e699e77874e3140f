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

/** Reused across calls: labels are encoded into it without allocating. */
let scratch = new Uint8Array(4096);

/**
 * Alertmanager's `model.LabelSet.Fingerprint()`: FNV-1a 64 over the labels sorted by name,
 * each as `name 0xff value 0xff`, printed as 16 lowercase hex digits. The 64-bit state is kept
 * as two 32-bit halves so the hot path stays in plain numbers
 * (prime = 2^40 + 0x1b3: both halves times 0x1b3, plus lo << 40 into the high half).
 */
export function fingerprintOf(labels: Record<string, string>): string {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (const name of Object.keys(labels).sort()) {
    for (const s of [name, labels[name] ?? '']) {
      if (s.length * 3 + 1 > scratch.length) scratch = new Uint8Array(s.length * 3 + 1);
      const n = encoder.encodeInto(s, scratch).written;
      scratch[n] = 0xff;
      for (let i = 0; i <= n; i++) {
        lo = (lo ^ (scratch[i] as number)) >>> 0;
        const loMul = lo * 0x1b3;
        hi = (Math.imul(hi, 0x1b3) + (lo << 8) + ((loMul / 0x100000000) | 0)) >>> 0;
        lo = loMul >>> 0;
      }
    }
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/** Normalises free-form severities ("P1", "error", "page", "Critical") to the three we use. */
export function severityOf(raw: string | undefined, fallback: Severity = 'warning'): Severity {
  const s = (raw ?? '').toLowerCase();
  if (['critical', 'crit', 'fatal', 'page', 'p0', 'p1', 'emergency', 'alert', 'high'].includes(s)) return 'critical';
  if (['warning', 'warn', 'error', 'err', 'p2', 'p3', 'medium', 'major', 'minor'].includes(s)) return 'warning';
  if (['info', 'informational', 'notice', 'debug', 'none', 'low', 'p4', 'p5', 'ok'].includes(s)) return 'info';
  return fallback;
}
