/**
 * Kubernetes resource quantities (`100m`, `2`, `512Mi`, `1G`) as numbers: CPU in millicores,
 * everything else in base units.
 */

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
};

/** Parses a quantity into base units; 0 for empty or unparsable text. */
export function parseQuantity(text: string | undefined): number {
  if (!text) return 0;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(text.trim());
  if (!m) return 0;
  const factor = SUFFIX[m[2]!];
  return factor === undefined ? 0 : Number(m[1]) * factor;
}

/** CPU quantity in millicores. */
export function milliCpu(text: string | undefined): number {
  return Math.round(parseQuantity(text) * 1000);
}
