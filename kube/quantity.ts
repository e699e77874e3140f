/**
 * Kubernetes resource quantities ("250m", "1.5", "128Mi", "1G", "1e3") as plain numbers:
 * CPU in millicores, everything else in base units (bytes, pods).
 */
const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimal: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const pattern = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** The quantity in base units, or NaN when it does not parse. */
export function parseQuantity(q: string | number | undefined | null): number {
  if (q === undefined || q === null) return NaN;
  if (typeof q === 'number') return q;
  const m = pattern.exec(q.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  if (m[2]) return Number(m[1] + m[2]);
  const suffix = m[3] ?? '';
  return n * (binary[suffix] ?? decimal[suffix] ?? 1);
}

/** The quantity in base units, unrounded (0 when absent or invalid). */
export function quantityExact(q: string | number | undefined | null): number {
  const v = parseQuantity(q);
  return Number.isFinite(v) ? v : 0;
}

/** CPU quantity in millicores (0 when absent or invalid). */
export function cpuMillis(q: string | number | undefined | null): number {
  return Math.round(quantityExact(q) * 1000);
}

/** Any other quantity in base units, rounded (0 when absent or invalid). */
export function quantityValue(q: string | number | undefined | null): number {
  return Math.round(quantityExact(q));
}

/** Bytes for people: 1.5Gi, 512Mi. */
export function formatBytes(n: number): string {
  const units = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)}${units[i]}`;
}

/** Millicores for people: 250m, 2, 1.5. */
export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : millis < 1000 ? `${millis}m` : (millis / 1000).toFixed(2).replace(/0+$/, '');
}
