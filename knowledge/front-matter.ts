/**
 * Splits a markdown file into its front matter (a leading YAML block between `---` lines) and the
 * markdown after it, parsing the YAML with the `yaml` package (YAML 1.2, duplicate keys refused).
 */
import { parse } from 'yaml';

export interface FrontMatterFile {
  /** The front matter mapping; `{}` when the file has none or it is empty. */
  data: Record<string, unknown>;
  /** Everything after the closing `---` line (the whole text when there is no front matter). */
  content: string;
}

const OPENING = /^\uFEFF?---[ \t]*\r?\n/;
const CLOSING = /^---[ \t]*(?:\r?\n|$)/m;

/** Throws an `Error` saying what is wrong when the block is unterminated, not YAML or not a mapping. */
export function splitFrontMatter(text: string): FrontMatterFile {
  const opening = OPENING.exec(text);
  if (!opening) return { data: {}, content: text };
  const rest = text.slice(opening[0].length);
  const closing = CLOSING.exec(rest);
  if (!closing) throw new Error('the front matter has no closing --- line');
  const data: unknown = parse(rest.slice(0, closing.index));
  if (data === null || data === undefined) return { data: {}, content: rest.slice(closing.index + closing[0].length) };
  if (typeof data !== 'object' || Array.isArray(data)) throw new Error('the front matter is not a mapping of fields');
  return { data: data as Record<string, unknown>, content: rest.slice(closing.index + closing[0].length) };
}
