import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderText } from '../../../platforms/console/render-text.ts';
import { UserError } from '../../../core/errors.ts';
import { kb, kbHandlers } from '../../../handlers/kb.ts';
import type { CommandContext, Role } from '../../../handlers/types.ts';
import { createTestDeps } from '../../helpers/deps.ts';
import { createCommandServices } from '../../../app/services.ts';

describe('kb chat command', () => {
  let deps: Awaited<ReturnType<typeof createTestDeps>>;

  beforeAll(async () => {
    deps = await createTestDeps({ knowledge: { publicBaseUrl: 'http://kb.test:8080' } });
  });
  afterAll(() => deps.stop());

  const run = async (line: string, role: Role = 'viewer') => {
    const ctx: CommandContext = {
      services: createCommandServices(deps),
      identity: { platform: 'console', userId: 'u1', channelId: 'c1' },
      user: { id: 'u1', name: '小王', role, namespaces: ['*'] },
      args: line.split(/\s+/).filter(Boolean),
      handlers: kbHandlers,
    };
    return renderText(await kb.run(ctx));
  };

  it('searches in Chinese and English and links the articles', async () => {
    const zh = await run('内存溢出');
    expect(zh).toContain('(container-oom-killed)');
    expect(zh).toContain('http://kb.test:8080/kb/container-oom-killed');
    expect(await run('TIME_WAIT')).toMatch(/^== Knowledge base: TIME_WAIT ==\nTCP connections piling up/);
    expect(await run('qwxzvbnm')).toContain('Nothing in the knowledge base for “qwxzvbnm”');
  });

  it('shows an article with its link and suggests ids for unknown ones', async () => {
    const text = await run('show node-disk-pressure');
    expect(text).toMatch(/^== Node disk pressure/);
    expect(text).toContain('link  http://kb.test:8080/kb/node-disk-pressure');
    expect(text).toContain('no notes yet: `kb note node-disk-pressure <what fixed it>`');
    await expect(run('show disk-pressure')).rejects.toThrow(/no article `disk-pressure`. Did you mean `node-disk-pressure`/);
  });

  it('records notes for operators only and shows them afterwards', async () => {
    await expect(run('note KubeNodeNotReady 专线闪断', 'viewer')).rejects.toThrow(/needs the operator role/);
    const noted = await run('note KubeNodeNotReady 专线闪断 3 分钟，已调大 tolerationSeconds', 'operator');
    expect(noted).toContain(
      'Noted for KubeNodeNotReady. The next alert like it will show: last time: 专线闪断 3 分钟，已调大 tolerationSeconds (by 小王',
    );
    expect(noted).toContain('node-notready-mass-eviction http://kb.test:8080/kb/node-notready-mass-eviction');
    const shown = await run('show node-notready-mass-eviction');
    expect(shown).toMatch(/\d{4}-\d\d-\d\d 小王 \(KubeNodeNotReady\): 专线闪断 3 分钟，已调大 tolerationSeconds/);
    const exported = await run('export node-notready-mass-eviction');
    expect(exported).toContain('专线闪断 3 分钟');
  });

  it('answers bad input with usage errors', async () => {
    await expect(run('')).rejects.toThrow(UserError);
    await expect(run('show')).rejects.toThrow(/missing the article id: `kb show <id>`/);
    await expect(run('note KubeNodeNotReady', 'operator')).rejects.toThrow(
      /missing the note's text after "KubeNodeNotReady": `kb note KubeNodeNotReady <what fixed it>`/,
    );
    await expect(run('note not-an-id-or-name text', 'operator')).rejects.toThrow(/not an article id, an alert fingerprint or an alertname/);
  });
});
