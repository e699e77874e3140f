/**
 * Turns resolution notes into markdown: per article, or everything at once with a draft article
 * (front matter included) for each alertname whose notes are attached to no article yet.
 */
import { stringify } from 'yaml';
import type { Note } from './notes.ts';
import type { Article } from './schema.ts';

function when(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

function noteMarkdown(note: Note, level: string): string {
  const about = [note.alertname ? `alert \`${note.alertname}\`` : '', note.fingerprint ? `fingerprint \`${note.fingerprint}\`` : '']
    .filter(Boolean)
    .join(', ');
  return [`${level} ${when(note.at)} — ${note.author}`, '', ...(about ? [`_${about}_`, ''] : []), note.text.trim(), ''].join('\n');
}

function slug(name: string): string {
  return (
    name
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'alert'
  );
}

/** Markdown of one article's notes, newest first. */
export function articleNotesMarkdown(article: Pick<Article, 'id' | 'title'>, notes: readonly Note[]): string {
  const head = `# Notes for ${article.title} (kb:${article.id})\n`;
  if (notes.length === 0) return `${head}\nNo notes yet.\n`;
  return [head, ...notes.map((n) => noteMarkdown(n, '##'))].join('\n');
}

/** Markdown of every note: grouped by article, then drafts for alertnames without an article. */
export function allNotesMarkdown(articles: readonly Pick<Article, 'id' | 'title'>[], notes: readonly Note[]): string {
  const parts: string[] = ['# Resolution notes\n'];
  const known = new Set(articles.map((a) => a.id));
  for (const article of articles) {
    const mine = notes.filter((n) => n.articleIds.includes(article.id));
    if (mine.length === 0) continue;
    parts.push(`## ${article.title} (kb:${article.id})\n`, ...mine.map((n) => noteMarkdown(n, '###')));
  }
  const loose = notes.filter((n) => !n.articleIds.some((id) => known.has(id)));
  const byName = new Map<string, Note[]>();
  for (const n of loose) {
    const key = n.alertname ?? '';
    byName.set(key, [...(byName.get(key) ?? []), n]);
  }
  for (const [name, group] of byName) {
    if (name === '') {
      parts.push('## Notes without an alertname or article\n', ...group.map((n) => noteMarkdown(n, '###')));
      continue;
    }
    const frontMatter = stringify({
      id: slug(name),
      title: name,
      summary: `What was done when ${name} fired (collected from resolution notes).`,
      tags: [name],
      match: [{ alertname: name }],
    });
    parts.push(
      `## Draft article for ${name}\n`,
      '````markdown',
      `---\n${frontMatter}---`,
      '',
      `# ${name}`,
      '',
      ...group.map((n) => noteMarkdown(n, '##')),
      '````',
      '',
    );
  }
  if (parts.length === 1) parts.push('No notes yet.\n');
  return parts.join('\n');
}
