/**
 * Human times for chat and pages: how long ago (or how far ahead) plus the local clock time in
 * the configured time zone (`display.timeZone`, default the machine's), never raw ISO strings.
 */

/** How times are shown: the IANA time zone, and the clock to measure "ago" against. */
export interface TimeDisplay {
  timeZone?: string;
  now?: number;
}

/** True when `zone` is an IANA time zone this runtime knows (`Asia/Shanghai`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The machine's time zone. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const UNITS: Array<[string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1000],
];

/** `45 s`, `3 min`, `2 h 5 min`, `3 d 4 h`: the largest unit and, when not zero, the one below it. */
export function spanText(ms: number): string {
  const abs = Math.abs(ms);
  const found = UNITS.findIndex(([, size]) => abs >= size);
  const i = found === -1 ? UNITS.length - 1 : found;
  const [unit, size] = UNITS[i]!;
  const whole = Math.floor(abs / size);
  const next = UNITS[i + 1];
  const part = next ? Math.floor((abs % size) / next[1]) : 0;
  return `${whole} ${unit}${next && part > 0 ? ` ${part} ${next[0]}` : ''}`;
}

/** `just now`, `3 min ago`, `in 2 h`. */
export function relativeTime(at: number, now = Date.now()): string {
  const diff = now - at;
  if (Math.abs(diff) < 5000) return 'just now';
  return diff > 0 ? `${spanText(diff)} ago` : `in ${spanText(diff)}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The local clock time of `at` in the zone: `14:05` today, `Nov 26 14:05` another day of the
 * same year, `2025-11-26 14:05` before; with the zone's short name (`GMT+8`, `UTC`).
 */
export function localTime(at: number, opts: TimeDisplay = {}): string {
  const timeZone = opts.timeZone ?? localTimeZone();
  const now = opts.now ?? Date.now();
  const parts = (t: number) =>
    Object.fromEntries(
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
        timeZoneName: 'short',
      })
        .formatToParts(t)
        .map((p) => [p.type, p.value]),
    ) as Record<string, string>;
  const p = parts(at);
  const today = parts(now);
  const clock = `${p.hour}:${p.minute} ${p.timeZoneName}`;
  if (p.year === today.year && p.month === today.month && p.day === today.day) return clock;
  if (p.year === today.year) return `${p.month} ${p.day} ${clock}`;
  const month = String(MONTHS.indexOf(p.month ?? '') + 1).padStart(2, '0');
  return `${p.year}-${month}-${String(p.day).padStart(2, '0')} ${clock}`;
}

/** `3 min ago (14:05 GMT+8)`: relative, then local. Accepts epoch ms, ISO strings and Dates. */
export function humanTime(at: number | string | Date, opts: TimeDisplay = {}): string {
  const t = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (!Number.isFinite(t)) return String(at);
  return `${relativeTime(t, opts.now)} (${localTime(t, opts)})`;
}
