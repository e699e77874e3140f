import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCommandServices } from '../../../app/services.ts';
import type { Reply } from '../../../core/reply.ts';
import { pod } from '../../../handlers/pod.ts';
import type { CommandContext } from '../../../handlers/types.ts';
import type { KubeRuntime } from '../../../kube/runtime.ts';
import { renderText } from '../../../platforms/console/render-text.ts';
import type { Node, Pod } from '../../../sim/types.ts';
import { createTestDeps } from '../../helpers/deps.ts';
import { idle, startHarness, waitFor } from './harness.ts';
import type { Harness } from './harness.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
let h: Harness;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(async () => {
  await deps.stop();
});
afterEach(async () => {
  await h?.close();
});

const podOf = (ns: string, name: string) => h.sim.store.peek('pods', ns, name) as Pod;
const readyAt = (p: Pod) =>
  Date.parse(p.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime ?? '');

const ask = (kube: KubeRuntime, namespaces: string[], ...args: string[]): Promise<Reply> => {
  const ctx: CommandContext = {
    services: { ...createCommandServices(deps), kube },
    identity: { platform: 'console', userId: 'tester', channelId: 'console' },
    user: { id: 'tester', name: 'tester', role: 'viewer', namespaces },
    args,
    handlers: [pod],
  };
  return pod.run(ctx);
};

describe('migration notices', () => {
  it('"short" is the NotReady-to-Ready gap; the notice resolves after the TTL; `pod <old ip>` finds the pod that had it', async () => {
    h = await startHarness();
    const kube = await h.startKube({ notices: { eventTtlSeconds: 120 } });
    await idle(kube);
    const before = podOf('shop', 'db-1');
    const node = before.spec.nodeName!;
    const oldIp = before.status!.podIP!;
    h.sim.drivers.nodeNotReady(node, { graceMs: 2_500 });
    const notReadyAt = Date.parse(
      (h.sim.store.peek('nodes', undefined, node) as Node).status!.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime!,
    );
    const moved = await waitFor(() => h.sink.named('KubePodMigrated').find((a) => a.labels.pod === 'db-1'), 'db-1 migration');
    const gap = (readyAt(podOf('shop', 'db-1')) - notReadyAt) / 1000;
    expect(gap).toBeGreaterThanOrEqual(2);
    expect(Math.abs(Number(moved.annotations.short_seconds) - gap)).toBeLessThanOrEqual(1);
    expect(moved.annotations.description).toContain(`one pod short for`);
    const ttl = Date.parse(moved.endsAt!) - Date.now();
    expect(ttl).toBeGreaterThan(100_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
    expect(moved.annotations).toMatchObject({ from_node: node, old_ip: oldIp, ip_kept: 'false' });
    const evicted = h.sink.named('KubePodEvicted').find((a) => a.labels.pod === 'db-1')!;
    expect(Date.parse(evicted.endsAt!)).toBeGreaterThan(Date.now());

    await idle(kube);
    const text = renderText(await ask(kube, ['*'], oldIp));
    expect(text).toContain(`no pod has ${oldIp} now`);
    expect(text).toContain(`pod shop/db-1 on ${node} had ${oldIp}`);
    expect(text).toContain(`now shop/db-1 on ${moved.labels.node}`);
    expect(text).toContain(`${node} → ${moved.labels.node}`);
    // Scoped users only see the history of their namespaces.
    await expect(ask(kube, ['web'], oldIp)).rejects.toThrow(/no pod matches/);
  }, 20_000);
});
