/**
 * The knowledge base's public surface: what the process, the HTTP server, the alert pipeline,
 * the chat command and the CLI use.
 */
export { knowledgeConfigSchema, type KnowledgeConfig } from './config.ts';
export {
  createKnowledgeBase,
  formatResolution,
  type AddNoteInput,
  type KnowledgeBase,
  type KnowledgeBaseOptions,
  type KnowledgeLink,
  type KnowledgeLinks,
  type Resolution,
} from './knowledge-base.ts';
export { formatProblems, lintKnowledge } from './lint.ts';
export { BUILTIN_ARTICLES_DIR, loadArticles } from './load.ts';
export type { ArticleMatch, MatchScore } from './match.ts';
export type { Note, NoteRef } from './notes.ts';
export { registerKnowledgeRoutes } from './routes.ts';
export type { Article, MatchRule, Problem } from './schema.ts';
export type { SearchHit } from './search.ts';
