/**
 * A small seeded pseudo-random generator (mulberry32) so demo clusters, generated names and uids
 * are the same on every run with the same seed.
 */

/** Deterministic random helpers. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  /** `n` lowercase hex digits. */
  hex(n: number): string;
  /** A version-4-shaped UUID. */
  uuid(): string;
  /** `n` characters of the alphabet Kubernetes uses for `generateName` suffixes. */
  suffix(n: number): string;
}

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const hex = (n: number): string => {
    let s = '';
    while (s.length < n) s += (Math.floor(next() * 4294967296) >>> 0).toString(16).padStart(8, '0');
    return s.length === n ? s : s.slice(0, n);
  };
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
    hex,
    uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[int(4)]}${hex(3)}-${hex(12)}`,
    suffix: (n) => {
      let s = '';
      for (let i = 0; i < n; i++) s += NAME_ALPHABET[int(NAME_ALPHABET.length)];
      return s;
    },
  };
}
