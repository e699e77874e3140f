/**
 * The front matter of a knowledge article and its match rules, as a zod schema: the article type
 * is inferred from it, never written twice.
 *
 * A pattern is an exact string, a regular expression written `/source/flags`, or a list of those
 * (any item may match). A rule is a set of conditions that must all hold; an article matches an
 * alert when any of its rules does.
 */
import { z } from 'zod';

export const ARTICLE_ID = /^[a-z0-9][a-z0-9-]{0,79}$/;

const patternItem = z.string().max(500);

export const patternSchema = z.union([patternItem, z.array(patternItem)]);

export const ruleSchema = z
  .object({
    alertname: patternSchema.optional(),
    reason: patternSchema.optional(),
    source: patternSchema.optional(),
    severity: patternSchema.optional(),
    labels: z.record(z.string().min(1), patternSchema).optional(),
  })
  .strict();

export const frontMatterSchema = z
  .object({
    id: z.string().regex(ARTICLE_ID, 'lowercase letters, digits and dashes, starting with a letter or digit'),
    title: z.string().trim().min(1).max(200),
    summary: z.string().trim().min(1).max(1000),
    tags: z.array(z.string().trim().min(1).max(60)).default([]),
    lang: z.enum(['en', 'zh']).optional(),
    /** Who keeps the article right: a team or a person. */
    owner: z.string().trim().min(1).max(100).optional(),
    /** How bad the problem it describes usually is. */
    severity: z.enum(['critical', 'warning', 'info']).optional(),
    /** When its content was last checked (`2026-11-20`); default the file's modification time. */
    updated: z.coerce.date().optional(),
    match: z.array(ruleSchema).default([]),
  })
  .strict();

export type Pattern = z.infer<typeof patternSchema>;
export type MatchRule = z.infer<typeof ruleSchema>;
export type FrontMatter = z.infer<typeof frontMatterSchema>;

/** One loaded article: its front matter, markdown body and where it came from. */
export interface Article extends Omit<FrontMatter, 'lang' | 'updated'> {
  lang: 'en' | 'zh';
  /** Markdown without the front matter. */
  body: string;
  /** Absolute path of the file. */
  path: string;
  /** Path of the file inside the folder it was loaded from (`oom/container-oom-killed.md`), for edit links. */
  relPath: string;
  /** ISO 8601: the front matter's `updated`, else the file's modification time, when known. */
  updatedAt?: string;
}

/** One problem found while loading or linting articles. */
export interface Problem {
  path: string;
  /** The article id when it could be read. */
  id?: string;
  kind: 'front-matter' | 'duplicate-id' | 'dead-link' | 'rule' | 'read' | 'unknown-command';
  message: string;
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/gu;
const LETTER = /\p{L}/gu;

/** The article language when the front matter does not say: Chinese when CJK dominates the letters. */
export function detectLang(text: string): 'en' | 'zh' {
  const cjk = text.match(CJK)?.length ?? 0;
  const letters = text.match(LETTER)?.length ?? 0;
  return letters > 0 && cjk * 3 >= letters ? 'zh' : 'en';
}
