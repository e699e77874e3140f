/**
 * Pod IP allocation for two network modes. `per-node`: each node owns a /24 (`spec.podCIDR`) and a
 * pod gets a free address of the node it lands on, so a moved pod changes IP. `fixed-ip`: like an
 * OVS/VLAN underlay with static IPs, a pod keeps the address reserved for its name wherever it
 * runs. The mode comes from the pod annotation `firstmate.io/network-mode`, else the cluster
 * default applies to StatefulSet pods (other pods always use `per-node`).
 */
import type { Store } from '../store.ts';
import type { Node, Pod } from '../types.ts';
import { controllerOf, podKey } from './indexes.ts';
import type { PodIndexes } from './indexes.ts';

export const NETWORK_MODE_ANNOTATION = 'firstmate.io/network-mode';

export type NetworkMode = 'per-node' | 'fixed-ip';

export interface Ipam {
  modeOf(pod: Pod): NetworkMode;
  /** An address for `pod` on `node`; undefined when the node's range is full. */
  allocate(pod: Pod, node: Node): string | undefined;
  /** The reserved fixed IP of a pod name, if any. */
  reserved(namespace: string, name: string): string | undefined;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function createIpam(store: Store, indexes: PodIndexes, clusterMode: NetworkMode, fixedPool = '10.16.0.0/16'): Ipam {
  const fixed = new Map<string, string>();
  const taken = new Set<string>();
  const [poolBase, poolBits] = fixedPool.split('/');
  const poolStart = ipToInt(poolBase!) + 256 + 10;
  const poolEnd = ipToInt(poolBase!) + 2 ** (32 - Number(poolBits ?? 16)) - 2;
  let cursor = poolStart;
  /** Host-local style: continue after the last handed-out address instead of reusing at once. */
  const lastIndex = new Map<string, number>();

  const modeOf = (pod: Pod): NetworkMode => {
    const annotated = pod.metadata.annotations?.[NETWORK_MODE_ANNOTATION];
    if (annotated === 'fixed-ip' || annotated === 'per-node') return annotated;
    return controllerOf(pod)?.kind === 'StatefulSet' ? clusterMode : 'per-node';
  };

  for (const p of store.scan('pods')) {
    const pod = p as Pod;
    const ip = pod.status?.podIP;
    if (ip && modeOf(pod) === 'fixed-ip') {
      fixed.set(podKey(pod), ip);
      taken.add(ip);
    }
  }

  return {
    modeOf,
    reserved: (namespace, name) => fixed.get(`${namespace}/${name}`),
    allocate(pod, node) {
      if (modeOf(pod) === 'fixed-ip') {
        const key = podKey(pod);
        const known = fixed.get(key);
        if (known) return known;
        while (cursor <= poolEnd && taken.has(intToIp(cursor))) cursor++;
        if (cursor > poolEnd) return undefined;
        const ip = intToIp(cursor++);
        fixed.set(key, ip);
        taken.add(ip);
        return ip;
      }
      const cidr = node.spec?.podCIDR;
      if (!cidr) return undefined;
      const base = ipToInt(cidr.split('/')[0]!);
      const size = 2 ** (32 - Number(cidr.split('/')[1] ?? 24));
      const used = new Set(
        indexes
          .podsOnNode(node.metadata.name!)
          .map((p) => p.status?.podIP)
          .filter(Boolean),
      );
      const last = lastIndex.get(node.metadata.name!) ?? 1;
      for (let step = 1; step < size - 2; step++) {
        const i = ((last - 2 + step) % (size - 3)) + 2;
        const ip = intToIp(base + i);
        if (!used.has(ip)) {
          lastIndex.set(node.metadata.name!, i);
          return ip;
        }
      }
      return undefined;
    },
  };
}
