/**
 * Command-line options of a benchmark through `node:util` parseArgs: numeric `--name N` options
 * with defaults, boolean flags and positionals; an unknown option or a non-number stops the run.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface BenchArgs<T extends Record<string, number>> {
  numbers: T;
  flags: Set<string>;
  positionals: string[];
}

export function benchArgs<T extends Record<string, number>>(defaults: T, opts: { flags?: string[]; args?: string[] } = {}): BenchArgs<T> {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const name of Object.keys(defaults)) options[name] = { type: 'string' };
  for (const name of opts.flags ?? []) options[name] = { type: 'boolean' };
  const { values, positionals } = parseArgs({ args: opts.args ?? process.argv.slice(2), options, allowPositionals: true, strict: true });
  const numbers: Record<string, number> = { ...defaults };
  for (const name of Object.keys(defaults)) {
    const raw = values[name];
    if (typeof raw !== 'string') continue;
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new Error(`--${name} needs a number, got "${raw}"`);
    numbers[name] = n;
  }
  const flags = new Set((opts.flags ?? []).filter((name) => values[name] === true));
  return { numbers: numbers as T, flags, positionals };
}
