/**
 * The `knowledge` section of the configuration, for the main schema to embed.
 */
import { z } from 'zod';

export const knowledgeConfigSchema = z
  .object({
    /** Extra folders of articles, loaded after the built-in ones. */
    dirs: z.array(z.string().min(1)).default([]),
    /** Where people reach the web pages; links are `${publicBaseUrl}/kb/${id}`. Default: `server.publicUrl`, else `http://localhost:8080`. */
    publicBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
    /**
     * Base of the "edit" link on each article page: the article's path inside its folder is
     * appended (`https://git.example.com/ops/runbooks/-/edit/main` + `/container-oom-killed.md`).
     * No edit link without it.
     */
    editBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Prefix of the Redis keys holding notes. Default: `${redis.prefix}:kb:`. */
    keyPrefix: z.string().min(1).optional(),
    /** Articles linked from one alert at most (the alert's own runbook comes on top). */
    maxLinks: z.number().int().min(1).max(10).default(3),
  })
  .strict();

export type KnowledgeConfig = z.infer<typeof knowledgeConfigSchema>;
