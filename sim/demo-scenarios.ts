/**
 * The scenarios `firstmate demo` lets a user trigger from chat, driven through the simulated
 * cluster's real drivers: a node failure (taint-based eviction, migration), an OOM kill, a
 * control-plane network split of a share of the nodes (their leases stop, the node controller
 * marks them NotReady, the storm guard takes over) and recovery. Each returns one line saying
 * what was done and what to expect; an impossible request throws an `Error` whose message is
 * meant for the user.
 */
import type { Sim } from './sim.ts';
import type { Node, Pod } from './types.ts';
import { zoneOfNode } from './drivers/zone-tainter.ts';

export interface DemoScenarioOptions {
  /** Eviction grace of the demo cluster, for the "expect …" hints. */
  evictionGraceMs: number;
  /** Lease grace of the demo cluster (how long a partitioned node still looks Ready). */
  leaseGraceMs: number;
}

export function createDemoScenarios(sim: Sim, opts: DemoScenarioOptions) {
  const nodes = () => [...sim.store.scan('nodes')] as Node[];
  const isReady = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  const secs = (ms: number) => `${Math.round(ms / 1000)} s`;
  return {
    async failNode(name: string): Promise<string> {
      const node = sim.store.peek('nodes', undefined, name) as Node | undefined;
      if (!node)
        throw new Error(
          `no node named ${name}; try one of ${nodes()
            .slice(0, 3)
            .map((n) => n.metadata.name)
            .join(', ')}…`,
        );
      if (!isReady(node)) throw new Error(`${name} is already NotReady; \`demo recover\` brings it back`);
      sim.drivers.nodeNotReady(name);
      const pods = [...sim.store.scan('pods')].filter((p) => (p as Pod).spec.nodeName === name).length;
      return `${name} stopped posting status (NotReady, tainted unreachable). Its ${pods} pods are evicted after ${secs(opts.evictionGraceMs)} and rescheduled: watch for the KubeNodeNotReady and KubePodMigrated notices, then \`pod <old ip>\`.`;
    },
    async oom(namespace: string, pod: string): Promise<string> {
      const p = sim.store.peek('pods', namespace, pod) as Pod | undefined;
      if (!p) throw new Error(`no pod ${namespace}/${pod}; try \`pods <node>\` to find one`);
      sim.drivers.oomKill(namespace, pod);
      return `${namespace}/${pod}: container ${p.spec.containers[0]?.name ?? ''} was OOM-killed and restarted: watch for the KubeContainerOOMKilled notice.`;
    },
    async split(percent: number): Promise<string> {
      if (!(percent > 0 && percent <= 100)) throw new Error('give a share of nodes between 1% and 100%, e.g. `demo split 40%`');
      const byZone = new Map<string, string[]>();
      for (const n of nodes()
        .filter(isReady)
        .sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!))) {
        const z = zoneOfNode(n);
        byZone.set(z, [...(byZone.get(z) ?? []), n.metadata.name!]);
      }
      const want = Math.max(1, Math.round((nodes().length * percent) / 100));
      const picked: string[] = [];
      const lists = [...byZone.values()];
      for (let i = 0; picked.length < want && lists.some((l) => l.length > i); i++)
        for (const l of lists) if (l[i] && picked.length < want) picked.push(l[i]!);
      if (!picked.length) throw new Error('every node is already NotReady; `demo recover` first');
      sim.drivers.partition(picked);
      return `Network split: ${picked.length} node(s) lost the control plane (${picked.slice(0, 6).join(', ')}${picked.length > 6 ? ', …' : ''}). They turn NotReady in about ${secs(opts.leaseGraceMs)} when their leases expire: watch for one KubeNodeNotReadyStorm notice (no per-node alerts), then \`demo recover\` for the after-storm summary.`;
    },
    async recover(): Promise<string> {
      const healed = sim.drivers.heal();
      const down = nodes()
        .filter((n) => !isReady(n))
        .map((n) => n.metadata.name!);
      for (const n of down) sim.drivers.nodeReady(n);
      const all = new Set([...healed, ...down]);
      return all.size
        ? `Recovered ${all.size} node(s): they are Ready again and the open node notices resolve.`
        : 'Every node is Ready; nothing to recover.';
    },
  };
}
