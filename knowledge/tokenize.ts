/**
 * The search tokenizers for mixed Chinese and English text. Words come from `Intl.Segmenter`
 * (dictionary-based for CJK, UAX #29 for the rest, so `TIME_WAIT` and `10.0.3.17` stay whole).
 * Latin words are lowercased, and identifiers are also split at `_` and `.`.
 *
 * Chinese has no spaces and the segmenter may cut the same phrase differently in an article and
 * in a short query, so documents index every character and every character bigram of a CJK run,
 * while queries use the segmenter's words (longer words as their bigrams, runs of single
 * characters joined). Every query term is then an index term whenever the article contains the
 * query's words, and "all terms" searches work for Chinese as they do for English.
 */
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
const HAN = /\p{Script=Han}/u;
const SPLIT = /[_.]+/;

/** Characters and particles too common to carry meaning in a query. */
const CJK_STOP = new Set([
  '的',
  '了',
  '是',
  '在',
  '和',
  '与',
  '或',
  '吗',
  '呢',
  '啊',
  '吧',
  '把',
  '被',
  '就',
  '也',
  '都',
  '要',
  '会',
  '能',
  '有',
  '怎么',
  '怎么办',
  '办',
  '什么',
  '如何',
  '为什么',
  '一个',
  '这个',
  '那个',
  '我',
  '你',
  '他',
  '它',
  '怎样',
  '哪些',
  '哪个',
]);

export function isHan(term: string): boolean {
  return HAN.test(term);
}

function bigrams(chars: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(`${chars[i]}${chars[i + 1]}`);
  return out;
}

function latin(word: string, out: string[]): void {
  const lower = word.toLowerCase();
  out.push(lower);
  if (SPLIT.test(lower) && /\p{L}/u.test(lower)) for (const part of lower.split(SPLIT)) if (part) out.push(part);
}

/** Index-side tokens: Latin words, and every CJK character and bigram. */
export function tokenizeDocument(text: string): string[] {
  const out: string[] = [];
  let run: string[] = [];
  const flush = () => {
    for (const ch of run) if (!CJK_STOP.has(ch)) out.push(ch);
    out.push(...bigrams(run));
    run = [];
  };
  for (const { segment, isWordLike } of segmenter.segment(text)) {
    if (isWordLike && isHan(segment)) {
      run.push(...segment);
      continue;
    }
    flush();
    if (isWordLike) latin(segment, out);
  }
  flush();
  return out;
}

/** Query-side tokens: Latin words, CJK words of two characters, bigrams of longer words and of runs of single characters. */
export function tokenizeQuery(text: string): string[] {
  const out: string[] = [];
  let singles: string[] = [];
  const flushSingles = () => {
    if (singles.length === 1 && !CJK_STOP.has(singles[0] ?? '')) out.push(singles[0] ?? '');
    else out.push(...bigrams(singles));
    singles = [];
  };
  for (const { segment, isWordLike } of segmenter.segment(text)) {
    if (isWordLike && isHan(segment)) {
      const chars = [...segment];
      if (chars.length === 1) {
        if (!CJK_STOP.has(segment)) singles.push(segment);
        else flushSingles();
        continue;
      }
      flushSingles();
      if (CJK_STOP.has(segment)) continue;
      out.push(...(chars.length === 2 ? [segment] : bigrams(chars)));
      continue;
    }
    flushSingles();
    if (isWordLike) latin(segment, out);
  }
  flushSingles();
  return [...new Set(out)];
}
