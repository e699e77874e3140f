/**
 * Lints folders of articles for CI and `firstmate kb lint`: bad front matter, duplicate ids,
 * internal links to unknown articles, match rules that can never match and commands that are not
 * firstmate's.
 */
import { loadArticles } from './load.ts';
import { internalLinkId, linkTargets, presentedCommands } from './markdown.ts';
import { compileRules } from './match.ts';
import type { Problem } from './schema.ts';

/**
 * Every problem in the folders' articles; an empty list means the knowledge base is clean. With
 * `commands` (the registered chat command names), an article presenting something else as a
 * firstmate command (see `presentedCommands`) is a problem too, so articles and commands cannot
 * drift apart.
 */
export async function lintKnowledge(dirs: readonly string[], opts: { commands?: readonly string[] } = {}): Promise<Problem[]> {
  const commands = opts.commands ? new Set(opts.commands) : undefined;
  const { articles, problems } = await loadArticles(dirs);
  const known = new Set(articles.map((a) => a.id));
  for (const article of articles) {
    for (const p of compileRules(article).problems) {
      problems.push({ path: article.path, id: article.id, kind: 'rule', message: `match[${p.rule}]: ${p.message}` });
    }
    let targets: string[] = [];
    try {
      targets = linkTargets(article.body);
    } catch (err) {
      problems.push({
        path: article.path,
        id: article.id,
        kind: 'front-matter',
        message: `unreadable markdown: ${(err as Error).message}`,
      });
    }
    if (commands) {
      for (const shown of presentedCommands(article.body)) {
        const name = shown.split(/\s+/)[0]!.toLowerCase();
        if (!commands.has(name))
          problems.push({
            path: article.path,
            id: article.id,
            kind: 'unknown-command',
            message: `\`${shown}\` is presented as a firstmate command, but \`${name}\` is not one`,
          });
      }
    }
    for (const href of targets) {
      const id = internalLinkId(href);
      if (id !== undefined && !known.has(id)) {
        problems.push({ path: article.path, id: article.id, kind: 'dead-link', message: `link ${href} points to unknown article "${id}"` });
      }
    }
  }
  return problems;
}

/** One line per problem (`path: [kind] message`) and a closing count; for terminals and CI logs. */
export function formatProblems(problems: readonly Problem[]): string {
  if (problems.length === 0) return 'knowledge base: no problems';
  const files = new Set(problems.map((p) => p.path)).size;
  const lines = problems.map((p) => `${p.path}: [${p.kind}]${p.id ? ` ${p.id}:` : ''} ${p.message}`);
  return [...lines, `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}`].join('\n');
}
