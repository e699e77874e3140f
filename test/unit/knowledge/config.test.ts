import { describe, expect, it } from 'vitest';
import { knowledgeConfigSchema } from '../../../knowledge/config.ts';

describe('knowledge config', () => {
  it('has defaults for everything', () => {
    expect(knowledgeConfigSchema.parse({})).toEqual({ dirs: [], maxLinks: 3 });
  });

  it('accepts folders, an http(s) base URL and a key prefix', () => {
    const c = knowledgeConfigSchema.parse({
      dirs: ['/srv/runbooks'],
      publicBaseUrl: 'https://ops.example.com',
      keyPrefix: '{fm}:kb:',
      maxLinks: 5,
    });
    expect(c).toEqual({ dirs: ['/srv/runbooks'], publicBaseUrl: 'https://ops.example.com', keyPrefix: '{fm}:kb:', maxLinks: 5 });
  });

  it('rejects non-web URLs, unknown keys and silly limits', () => {
    expect(knowledgeConfigSchema.safeParse({ publicBaseUrl: 'ftp://x' }).success).toBe(false);
    expect(knowledgeConfigSchema.safeParse({ folders: [] }).success).toBe(false);
    expect(knowledgeConfigSchema.safeParse({ maxLinks: 0 }).success).toBe(false);
  });
});
