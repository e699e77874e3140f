import { isIP } from 'node:net';
import { reply } from '../core/reply.ts';
import type { Block } from '../core/reply.ts';
import { age, argOf, findNode, kubeOf, requireNode } from './kube-lookup.ts';
import type { Handler } from './types.ts';

const MAX_ROWS = 100;

/** `pods <node|ip>`: the pods on a node (given by name, node address, or the IP of a pod on it). */
export const pods: Handler = {
  name: 'pods',
  role: 'viewer',
  usage: 'pods <node|ip>',
  summary: 'pods on a node',
  async run(ctx) {
    const kube = await kubeOf(ctx);
    const { cache } = kube;
    const query = argOf(ctx, this.usage);
    let note = '';
    let node = findNode(cache, query);
    if (!node && isIP(query)) {
      const pod = cache.podsWithIP(query)[0];
      if (pod?.nodeName) {
        node = cache.node(pod.nodeName);
        note = `${query} is pod ${pod.metadata.namespace}/${pod.metadata.name}; showing its node. `;
      }
    }
    node ??= requireNode(cache, query);
    const now = Date.now();
    const list = cache
      .podsOnNode(node.metadata.name)
      .sort((a, b) => a.metadata.namespace.localeCompare(b.metadata.namespace) || a.metadata.name.localeCompare(b.metadata.name));
    const rows = list.slice(0, MAX_ROWS).map((p) => {
      const ready = p.containers.filter((c) => c.ready).length;
      const restarts = p.containers.reduce((s, c) => s + c.restartCount, 0);
      const status = p.deletedAt ? 'Terminating' : p.reason || p.phase || 'Unknown';
      return [
        p.metadata.namespace,
        p.metadata.name,
        `${ready}/${p.containers.length}`,
        status,
        String(restarts),
        p.podIP || '-',
        age(p.metadata.createdAt, now),
      ];
    });
    const blocks: Block[] = [{ kind: 'heading', text: `pods on ${node.metadata.name}` }];
    if (rows.length) blocks.push({ kind: 'table', columns: ['namespace', 'pod', 'ready', 'status', 'restarts', 'ip', 'age'], rows });
    const more = list.length > MAX_ROWS ? `showing ${MAX_ROWS} of ${list.length} pods. ` : '';
    blocks.push({ kind: 'context', text: `${note}${more}${list.length} pod(s) on ${node.metadata.name}.` });
    return reply(...blocks);
  },
};
