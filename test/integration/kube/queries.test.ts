import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandServices } from '../../../app/services.ts';
import type { Reply } from '../../../core/reply.ts';
import { events } from '../../../handlers/events.ts';
import { logs } from '../../../handlers/logs.ts';
import { nodes } from '../../../handlers/nodes.ts';
import type { CommandContext, Handler } from '../../../handlers/types.ts';
import { workload } from '../../../handlers/workload.ts';
import type { KubeRuntime } from '../../../kube/runtime.ts';
import { renderText } from '../../../platforms/console/render-text.ts';
import { createTestDeps } from '../../helpers/deps.ts';
import { idle, startHarness, waitFor } from './harness.ts';
import type { Harness } from './harness.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
let h: Harness;
let kube: KubeRuntime;

beforeAll(async () => {
  deps = await createTestDeps();
  h = await startHarness();
  kube = await h.startKube();
  await idle(kube);
});
afterAll(async () => {
  await h.close();
  await deps.stop();
});

const ask = async (handler: Handler, args: string[], namespaces = ['*']): Promise<string> => {
  const ctx: CommandContext = {
    services: { ...createCommandServices(deps), kube },
    identity: { platform: 'console', userId: 'tester', channelId: 'console' },
    user: { id: 'tester', name: 'tester', role: 'viewer', namespaces },
    args,
    handlers: [handler],
  };
  const r: Reply = await handler.run(ctx);
  return renderText(r);
};

describe('read-only cluster queries', () => {
  it('nodes lists every node, or only the NotReady, cordoned or pressured ones', async () => {
    expect(await ask(nodes, [])).toMatch(/nodes: 4 of 4[\s\S]*node-1\s+10\.0\.0\.11\s+zone-2\s+Ready/);
    expect(await ask(nodes, ['notready'])).toContain('no notready nodes (of 4)');
    h.sim.drivers.nodeNotReady('node-3', { graceMs: 600_000 });
    h.sim.drivers.setMemoryPressure('node-4', true);
    await waitFor(
      () => kube.cache.node('node-3')?.conditions.some((c) => c.type === 'Ready' && c.status !== 'True'),
      'node-3 NotReady in the cache',
    );
    await waitFor(
      () => kube.cache.node('node-4')?.conditions.some((c) => c.type === 'MemoryPressure' && c.status === 'True'),
      'pressure in the cache',
    );
    const notReady = await ask(nodes, ['notready']);
    expect(notReady).toMatch(/notready nodes: 1 of 4[\s\S]*node-3[^\n]*NotReady \(Unknown\)/);
    expect(notReady).not.toContain('node-1 ');
    expect(await ask(nodes, ['pressure'])).toMatch(/node-4[^\n]*MemoryPressure/);
    await expect(ask(nodes, ['sideways'])).rejects.toThrow(/usage: nodes/);
  });

  it('workload shows replicas, ready, rollout and pods with nodes and IPs; events show what happened', async () => {
    const text = await ask(workload, ['shop/db']);
    expect(text).toMatch(/== StatefulSet shop\/db ==[\s\S]*replicas\s+3/);
    for (const p of ['db-0', 'db-1', 'db-2'])
      expect(text).toMatch(new RegExp(`${p}\\s+(yes|no)\\s+Running\\s+0\\s+node-\\d\\s+10\\.244\\.`));
    h.sim.drivers.failures.crashLoop('shop', 'db-0');
    await waitFor(() => kube.cache.eventsFor('Pod', 'shop', 'db-0').some((e) => e.reason === 'BackOff'), 'BackOff cached');
    expect(await ask(events, ['shop/db-0'])).toMatch(/Warning\s+BackOff\s+Pod\/db-0\s+1\s+Back-off restarting failed container/);
    expect(await ask(events, ['shop/db'])).toContain('BackOff');
    await waitFor(() => kube.cache.eventsFor('Node', '', 'node-3').length, 'node events cached');
    expect(await ask(events, ['node-3'])).toMatch(/NodeNotReady\s+Node\/node-3/);
    await expect(ask(workload, ['shop/nope'])).rejects.toThrow(/no Deployment, StatefulSet or Job shop\/nope/);
    await expect(ask(events, ['shop/db-0'], ['web'])).rejects.toThrow(/may not act on namespace `shop`/);
  });

  it('logs reads the (previous) container log through pods/log, tail-capped and neutralised; namespace scopes apply', async () => {
    h.sim.drivers.failures.crashLoop('shop', 'db-1', { log: 'one\ntwo\n<!channel> three @all\nfour\n' });
    await waitFor(() => kube.cache.pod('shop', 'db-1')?.containers[0]?.stateReason === 'CrashLoopBackOff', 'crash loop cached');
    const text = await ask(logs, ['shop/db-1', '--previous', '--tail', '2']);
    expect(text).toContain('== logs shop/db-1 (db), previous instance ==');
    expect(text).not.toContain('two');
    expect(text).toContain('channel three @\u200ball\nfour');
    expect(text).not.toContain('<!channel>');
    expect(await ask(logs, ['shop/db-2'])).toMatch(/db starting/);
    await expect(ask(logs, ['shop/db-2', '--previous'])).rejects.toThrow(/has not restarted/);
    await expect(ask(logs, ['shop/db-1'], ['web'])).rejects.toThrow(/may not act on namespace `shop`/);
    await expect(ask(logs, ['shop/db-1', '--tail', 'x'])).rejects.toThrow(/--tail needs a number/);
  });
});
