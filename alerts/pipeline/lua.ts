import { readFileSync } from 'node:fs';

/**
 * The text of a pipeline Lua script, `lua/<name>.lua` next to this module (the build copies the
 * files to dist/). Each file starts with a header naming its KEYS and ARGV.
 */
export function luaScript(name: string): string {
  return readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');
}
