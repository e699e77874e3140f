import type { FastifyInstance } from 'fastify';

/** A group of routes registered explicitly on the server (webhooks, Slack events, /kb). */
export type HttpPlugin = (app: FastifyInstance) => void | Promise<void>;

/** The JSON error shape every route answers with (docs/architecture.md, HTTP contract). */
export interface ErrorBody {
  error: string;
  details?: Array<{ path: string; message: string }>;
  ref?: string;
}
