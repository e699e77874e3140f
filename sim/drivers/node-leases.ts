/**
 * Node heartbeats as kubelets send them: one `coordination.k8s.io` Lease per node in
 * `kube-node-lease`, renewed every `renewMs`. A node cut off from the control plane
 * (`partition`) stops renewing; the node lifecycle controller's monitor (every `monitorMs`)
 * marks a node whose lease is older than `graceMs` NotReady (Unknown, unreachable), and once its
 * heartbeats come back (`heal`), Ready again. This is how a control-plane network split looks.
 */
import type { Clock } from '../clock.ts';
import type { Store } from '../store.ts';
import type { KubeObject, Node } from '../types.ts';

export interface NodeLeaseOptions {
  /** Lease renewal interval (Kubernetes: 10 s). */
  renewMs?: number;
  /** Age of a lease after which the node is NotReady (`--node-monitor-grace-period`, Kubernetes: 40 s). */
  graceMs?: number;
  /** How often the controller looks (`--node-monitor-period`, Kubernetes: 5 s). */
  monitorMs?: number;
}

export interface NodeLeases {
  /** Stops the heartbeats of these nodes (their kubelets can no longer reach the API server). */
  partition(nodes: string[]): void;
  /** Lets them through again and lets the controller see it; returns the nodes that were partitioned. */
  heal(nodes?: string[]): string[];
  /** Heartbeats of one node stop / resume (its kubelet stopped or started posting). */
  cut(node: string): void;
  uncut(node: string): void;
  partitioned(): string[];
  close(): void;
}

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

const micro = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

export function createNodeLeases(
  store: Store,
  clock: Clock,
  opts: NodeLeaseOptions,
  lifecycle: { nodeNotReady(name: string): unknown; nodeReady(name: string): unknown; unreachable(name: string): boolean },
): NodeLeases {
  const renewMs = opts.renewMs ?? 10_000;
  const graceMs = opts.graceMs ?? 40_000;
  const cut = new Set<string>();
  /** Monotonic time of each node's last renewal (the cluster clock may be shifted while it is built). */
  const lastRenew = new Map<string, number>();
  const elapsed = () => performance.now();

  function renew(): void {
    const now = clock.now();
    if (!store.peek('namespaces', undefined, NODE_LEASE_NAMESPACE))
      store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NODE_LEASE_NAMESPACE } });
    for (const obj of store.scan('nodes')) {
      const name = obj.metadata.name!;
      if (cut.has(name)) continue;
      lastRenew.set(name, elapsed());
      if (store.peek('leases', NODE_LEASE_NAMESPACE, name)) {
        store.mutate('leases', NODE_LEASE_NAMESPACE, name, (o) => {
          (o.spec as { renewTime?: string }).renewTime = micro(now);
        });
      } else {
        const lease: KubeObject = {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: {
            name,
            namespace: NODE_LEASE_NAMESPACE,
            ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: obj.metadata.uid!, controller: false }],
          },
          spec: { holderIdentity: name, leaseDurationSeconds: Math.round(graceMs / 1000), renewTime: micro(now) },
        };
        store.create('leases', lease);
      }
    }
  }

  function monitor(): void {
    const now = elapsed();
    for (const obj of store.scan('nodes')) {
      const n = obj as Node;
      const name = n.metadata.name!;
      const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      const stale = now - (lastRenew.get(name) ?? now) > graceMs;
      if (stale && ready) lifecycle.nodeNotReady(name);
      else if (!stale && !ready && !cut.has(name) && lifecycle.unreachable(name)) lifecycle.nodeReady(name);
    }
  }

  renew();
  const renewTimer = setInterval(renew, renewMs);
  const monitorTimer = setInterval(monitor, opts.monitorMs ?? 5_000);
  renewTimer.unref();
  monitorTimer.unref();

  return {
    partition(nodes) {
      for (const n of nodes) cut.add(n);
    },
    heal(nodes) {
      const healed = nodes ? nodes.filter((n) => cut.has(n)) : [...cut];
      for (const n of healed) cut.delete(n);
      renew();
      monitor();
      return healed;
    },
    cut: (node) => void cut.add(node),
    uncut: (node) => void cut.delete(node),
    partitioned: () => [...cut],
    close() {
      clearInterval(renewTimer);
      clearInterval(monitorTimer);
    },
  };
}
