/**
 * Command-line options of a benchmark through `node:util` parseArgs: numeric `--name N` and text
 * `--name value` options with defaults, boolean flags and positionals; an unknown option or a
 * non-number where a number belongs stops the run.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface BenchArgs<N extends Record<string, number>, S extends Record<string, string>> {
  numbers: N;
  strings: S;
  flags: Set<string>;
  positionals: string[];
}

export function benchArgs<N extends Record<string, number>, S extends Record<string, string> = Record<never, string>>(
  numbers: N,
  opts: { strings?: S; flags?: string[]; args?: string[] } = {},
): BenchArgs<N, S> {
  const strings = opts.strings ?? ({} as S);
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const name of [...Object.keys(numbers), ...Object.keys(strings)]) options[name] = { type: 'string' };
  for (const name of opts.flags ?? []) options[name] = { type: 'boolean' };
  const { values, positionals } = parseArgs({ args: opts.args ?? process.argv.slice(2), options, allowPositionals: true, strict: true });
  const n: Record<string, number> = { ...numbers };
  for (const name of Object.keys(numbers)) {
    const raw = values[name];
    if (typeof raw !== 'string') continue;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new Error(`--${name} needs a number, got "${raw}"`);
    n[name] = value;
  }
  const s: Record<string, string> = { ...strings };
  for (const name of Object.keys(strings)) {
    const raw = values[name];
    if (typeof raw === 'string') s[name] = raw;
  }
  const flags = new Set((opts.flags ?? []).filter((name) => values[name] === true));
  return { numbers: n as N, strings: s as S, flags, positionals };
}
