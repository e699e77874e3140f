/**
 * Prometheus/Alertmanager durations: one or more `<number><unit>` parts, largest unit first
 * (`30s`, `5m`, `1h30m`, `2d`, `500ms`). `0` alone is zero.
 */
const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };
const part = /(\d+)(ms|s|m|h|d|w|y)/y;

/** Milliseconds in `text`, or throws an `Error` saying what is wrong. */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === '0') return 0;
  if (s === '') throw new Error('empty duration');
  let total = 0;
  let last = Infinity;
  part.lastIndex = 0;
  while (part.lastIndex < s.length) {
    const at = part.lastIndex;
    const m = part.exec(s);
    if (!m) throw new Error(`invalid duration "${text}": expected parts like 30s, 5m, 4h, 1h30m at "${s.slice(at)}"`);
    const unit = units[m[2]!]!;
    if (unit >= last) throw new Error(`invalid duration "${text}": units must go from largest to smallest`);
    last = unit;
    total += Number(m[1]) * unit;
  }
  if (!Number.isSafeInteger(total)) throw new Error(`duration "${text}" is too large`);
  return total;
}

/** Short human form of a duration in milliseconds (`2h5m`, `45s`). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  let rest = Math.floor(ms / 1000);
  const out: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      out.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (out.length === 2) break;
  }
  return out.join('');
}
