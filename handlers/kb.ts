import { reply, textReply, type Block } from '../core/reply.ts';
import { UserError } from '../core/errors.ts';
import type { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import { roleAllows, type CommandContext, type Handler } from './types.ts';

const USAGE = 'kb <query> | kb show <id> | kb note <fingerprint|alertname|article> <text> | kb export [id]';

function day(iso: string): string {
  return iso.slice(0, 10);
}

function searchReply(kb: KnowledgeBase, query: string) {
  const hits = kb.search(query, 5);
  if (hits.length === 0) return textReply(`Nothing in the knowledge base for “${query}”. Try other words, or \`kb\` + an alertname.`);
  const blocks: Block[] = [{ kind: 'heading', text: `Knowledge base: ${query}` }];
  for (const h of hits) blocks.push({ kind: 'text', text: `${h.title} (${h.id})\n${h.summary}\n${kb.urlFor(h.id)}` });
  blocks.push({ kind: 'context', text: '`kb show <id>` for details and notes from past incidents' });
  return reply(...blocks);
}

async function showReply(kb: KnowledgeBase, id: string | undefined) {
  if (!id) throw new UserError('missing the article id: `kb show <id>` (ids are listed by `kb <words>`)');
  const article = kb.get(id);
  if (!article) {
    const close = kb.search(id.replace(/[-_]+/g, ' '), 3).map((h) => `\`${h.id}\``);
    throw new UserError(`no article \`${id}\`.${close.length ? ` Did you mean ${close.join(', ')}?` : ''}`);
  }
  const notes = await kb.notesFor(article.id, 5);
  const blocks: Block[] = [
    { kind: 'heading', text: article.title },
    { kind: 'text', text: article.summary },
    {
      kind: 'fields',
      fields: [
        { label: 'id', value: article.id },
        { label: 'tags', value: article.tags.join(', ') || '-' },
        { label: 'link', value: kb.urlFor(article.id) },
      ],
    },
  ];
  if (notes.length === 0) blocks.push({ kind: 'context', text: `no notes yet: \`kb note ${article.id} <what fixed it>\`` });
  for (const n of notes)
    blocks.push({ kind: 'context', text: `${day(n.at)} ${n.author}${n.alertname ? ` (${n.alertname})` : ''}: ${n.text}` });
  return reply(...blocks);
}

async function noteReply(kb: KnowledgeBase, ctx: CommandContext, rest: string[]) {
  if (!roleAllows(ctx.user.role, 'operator')) throw new UserError(`\`kb note\` needs the operator role; you are ${ctx.user.role}.`);
  const [ref, ...words] = rest;
  const text = words.join(' ').trim();
  if (!ref) throw new UserError('missing what the note is about: `kb note <fingerprint|alertname|article> <what fixed it>`');
  if (!text) throw new UserError(`missing the note's text after "${ref}": \`kb note ${ref} <what fixed it>\``);
  const note = await kb.addNote({ ref: await kb.resolveRef(ref), text, author: ctx.user.name });
  const about = note.alertname ?? note.fingerprint ?? note.articleIds[0] ?? ref;
  const attached = note.articleIds.length
    ? note.articleIds.map((id) => `${id} ${kb.urlFor(id)}`).join('\n')
    : 'no article yet (it shows up in `kb export all` as a draft)';
  return reply(
    {
      kind: 'text',
      text: `Noted for ${about}. The next alert like it will show: last time: ${note.text} (by ${note.author}, ${day(note.at)})`,
    },
    { kind: 'context', text: `attached to: ${attached}` },
  );
}

async function exportReply(kb: KnowledgeBase, id: string | undefined) {
  const markdown = await kb.exportNotes(id ?? 'all');
  return reply({ kind: 'text', text: '```\n' + markdown.replace(/```/g, "'''") + '\n```' });
}

/**
 * `kb`: the knowledge base from chat. `kb <query>` searches (Chinese or English), `kb show <id>`
 * shows an article's summary, link and notes, `kb note <ref> <text>` (operator) records what
 * fixed an alert, `kb export [id]` prints notes as markdown to turn into articles.
 */
export const kb: Handler = {
  name: 'kb',
  role: 'viewer',
  usage: USAGE,
  summary: 'search runbooks, show one, add a resolution note · 知识库',
  async run(ctx) {
    const knowledge = ctx.services.knowledge;
    const [sub, ...rest] = ctx.args;
    if (!sub) throw new UserError(`missing words to search for: \`${USAGE}\``);
    switch (sub.toLowerCase()) {
      case 'show':
        return showReply(knowledge, rest[0]);
      case 'note':
        return noteReply(knowledge, ctx, rest);
      case 'export':
        return exportReply(knowledge, rest[0]);
      default:
        return searchReply(knowledge, ctx.args.join(' '));
    }
  },
};

export const kbHandlers: Handler[] = [kb];
