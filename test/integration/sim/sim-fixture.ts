/**
 * Shared setup for the sim tests: a small cluster (3 nodes, two namespaces) served by the
 * sim, and a real client-node KubeConfig pointing at it.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { buildNamespace, buildNode, isoAgo } from '../../../sim/cluster-builders.ts';
import type { ClusterSpec, NodeInput } from '../../../sim/cluster-builders.ts';
import { startSim } from '../../../sim/sim.ts';
import type { Sim, SimOptions } from '../../../sim/sim.ts';
import type { KubeObject } from '../../../sim/types.ts';

/**
 * Ready nodes `node-1`… (InternalIP 10.0.0.11…, pod CIDR 10.244.i.0/24, 8 CPUs, 32 GiB, zone
 * `zone-i`, SSD) created at `createdAt` with a heartbeat 5 s before `now`; `vary` overrides fields per node.
 */
export function testNodes(
  count: number,
  now: number,
  createdAt: string,
  vary: (i: number) => Partial<NodeInput> = () => ({}),
): KubeObject[] {
  return Array.from({ length: count }, (_, k) => {
    const i = k + 1;
    const input: NodeInput = {
      name: `node-${i}`,
      internalIp: `10.0.0.${10 + i}`,
      podCIDR: `10.244.${i}.0/24`,
      zone: `zone-${i}`,
      region: 'r1',
      diskType: 'ssd',
      cpu: 8,
      memoryGi: 32,
      kernelVersion: '5.15.0-126-generic',
      createdAt,
      ...vary(i),
    };
    return buildNode(input, isoAgo(now, 5000));
  });
}

export function tinyCluster(nodeCount = 3, extra: KubeObject[] = []): ClusterSpec {
  const now = Date.now();
  const created = isoAgo(now, 86_400_000);
  const objects: KubeObject[] = [buildNamespace('default', created), buildNamespace('team-a', created), buildNamespace('team-b', created)];
  return { objects: [...objects, ...testNodes(nodeCount, now, created), ...extra] };
}

/** The simulated API server with `cluster` and a real client-node KubeConfig pointing at it. */
export async function startTestSim(options: SimOptions = {}, cluster: ClusterSpec = tinyCluster()): Promise<{ sim: Sim; kc: KubeConfig }> {
  const sim = await startSim({ cluster, gracePeriodScale: 0.01, ...options });
  const kc = new KubeConfig();
  kc.loadFromOptions(sim.kubeConfig());
  return { sim, kc };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export { waitFor } from '../../helpers/wait.ts';

/** A minimal pod manifest. */
export function podManifest(name: string, labels: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
    ...extra,
  };
}

/** The HTTP status and parsed Status body of a rejected client-node call. */
export async function rejection(
  p: Promise<unknown>,
): Promise<{ code: number; body: { kind?: string; reason?: string; code?: number; message?: string } }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: number; body?: unknown };
    const body = typeof e.body === 'string' ? (JSON.parse(e.body) as Record<string, unknown>) : (e.body as Record<string, unknown>);
    return { code: e.code ?? 0, body: body as { kind?: string; reason?: string; code?: number; message?: string } };
  }
  throw new Error('expected the call to fail');
}
