import { UserError } from './errors.ts';

const QUOTES: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’', '「': '」', '『': '』' };

/**
 * Splits a chat line into words. Quotes group words (ASCII, curly quotes that phones and
 * macOS insert, and CJK corner brackets); a backslash escapes the next character; ideographic
 * spaces separate words like ASCII ones.
 */
export function tokenize(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let closing: string | undefined;
  const chars = [...line];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '\\' && i + 1 < chars.length) {
      current += chars[++i];
      inWord = true;
    } else if (closing !== undefined) {
      if (ch === closing) closing = undefined;
      else current += ch;
    } else if (QUOTES[ch] !== undefined) {
      closing = QUOTES[ch];
      inWord = true;
    } else if (/\s/u.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (closing !== undefined) throw new UserError(`unclosed quote: add a closing ${closing}`);
  if (inWord) words.push(current);
  return words;
}

/** Quotes one word so that `tokenize` reads it back as that single word (spaces, newlines, quotes). */
export function quoteWord(word: string): string {
  if (/^[\p{L}\p{N}_.:/=@,+-]+$/u.test(word)) return word;
  return `"${word.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
