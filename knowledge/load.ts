/**
 * Loads articles from folders of markdown files with front matter. Broken files are skipped and
 * reported as problems, so one bad article never stops the process; `lintKnowledge` reports the
 * same problems (and more) for CI.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitFrontMatter, type FrontMatterFile } from './front-matter.ts';
import { detectLang, frontMatterSchema, type Article, type Problem } from './schema.ts';

/** The folder of the articles shipped with firstmate. */
export const BUILTIN_ARTICLES_DIR = fileURLToPath(new URL('./articles/', import.meta.url));

export interface LoadResult {
  /** Valid articles; on duplicate ids the first folder (then file name order) wins. */
  articles: Article[];
  problems: Problem[];
}

async function markdownFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.md') && e.name.toLowerCase() !== 'readme.md')
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** Parses one file's text; returns the article or the problems found in its front matter. */
export function parseArticle(
  file: string,
  text: string,
  where: { relPath?: string; modifiedAt?: Date } = {},
): { article?: Article; problems: Problem[] } {
  let parsed: FrontMatterFile;
  try {
    parsed = splitFrontMatter(text);
  } catch (err) {
    return {
      problems: [{ path: file, kind: 'front-matter', message: `unreadable front matter: ${(err as Error).message.split('\n')[0]}` }],
    };
  }
  if (Object.keys(parsed.data).length === 0) {
    return {
      problems: [
        { path: file, kind: 'front-matter', message: 'no front matter (expected a --- block with id, title, summary, tags, match)' },
      ],
    };
  }
  const result = frontMatterSchema.safeParse(parsed.data);
  if (!result.success) {
    const rawId = parsed.data.id;
    return {
      problems: result.error.issues.map((issue) => ({
        path: file,
        ...(typeof rawId === 'string' ? { id: rawId } : {}),
        kind: 'front-matter' as const,
        message: `${issue.path.join('.') || '(front matter)'}: ${issue.message}`,
      })),
    };
  }
  const { lang, updated, ...fm } = result.data;
  const body = parsed.content.trim();
  const updatedAt = (updated ?? where.modifiedAt)?.toISOString();
  return {
    article: {
      ...fm,
      lang: lang ?? detectLang(`${fm.title} ${fm.summary} ${body}`),
      body,
      path: file,
      relPath: where.relPath ?? path.basename(file),
      ...(updatedAt && { updatedAt }),
    },
    problems: [],
  };
}

/** Loads every `*.md` file under the folders (recursively, `README.md` files excepted), in order. */
export async function loadArticles(dirs: readonly string[]): Promise<LoadResult> {
  const articles: Article[] = [];
  const problems: Problem[] = [];
  const seen = new Map<string, string>();
  for (const dir of dirs) {
    let files: string[];
    try {
      files = await markdownFiles(path.resolve(dir));
    } catch (err) {
      problems.push({ path: dir, kind: 'read', message: `cannot read folder: ${(err as Error).message}` });
      continue;
    }
    for (const file of files) {
      let text: string;
      let modifiedAt: Date;
      try {
        text = await readFile(file, 'utf8');
        modifiedAt = (await stat(file)).mtime;
      } catch (err) {
        problems.push({ path: file, kind: 'read', message: `cannot read file: ${(err as Error).message}` });
        continue;
      }
      const relPath = path.relative(path.resolve(dir), file).split(path.sep).join('/');
      const { article, problems: found } = parseArticle(file, text, { relPath, modifiedAt });
      problems.push(...found);
      if (!article) continue;
      const first = seen.get(article.id);
      if (first !== undefined) {
        problems.push({
          path: file,
          id: article.id,
          kind: 'duplicate-id',
          message: `duplicate id "${article.id}", already used by ${first}`,
        });
        continue;
      }
      seen.set(article.id, file);
      articles.push(article);
    }
  }
  return { articles, problems };
}
