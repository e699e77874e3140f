/** `events <ns/name|node>`: the recent events about a pod, workload or node, newest first. */
import { assertNamespace } from '../chat/authz.ts';
import { UserError } from '../core/errors.ts';
import { reply } from '../core/reply.ts';
import { neutralise } from '../alerts/render/notification.ts';
import type { EventRecord } from '../kube/records.ts';
import { age, argOf, findNode, kubeOf } from './kube-lookup.ts';
import type { Handler } from './types.ts';

const MAX_ROWS = 20;
const KINDS = ['Pod', 'Deployment', 'StatefulSet', 'ReplicaSet', 'Job'];

export const events: Handler = {
  name: 'events',
  role: 'viewer',
  usage: 'events <ns/name|node>',
  summary: 'recent events about a pod, workload or node',
  async run(ctx) {
    const kube = await kubeOf(ctx);
    const { cache } = kube;
    const query = argOf(ctx, this.usage);
    let list: EventRecord[] = [];
    let what: string;
    const slash = query.indexOf('/');
    if (slash > 0) {
      const ns = query.slice(0, slash);
      const name = query.slice(slash + 1);
      assertNamespace(ctx.user, ns);
      list = KINDS.flatMap((k) => cache.eventsFor(k, ns, name));
      // A workload's events include its pods'.
      for (const k of ['Deployment', 'StatefulSet', 'Job'])
        for (const p of cache.podsOfWorkload(k, ns, name).slice(0, 50)) list.push(...cache.eventsFor('Pod', ns, p.metadata.name));
      what = `${ns}/${name}`;
    } else {
      const node = findNode(cache, query);
      if (!node) throw new UserError(`no node named ${query}; for a pod or workload give \`namespace/name\``);
      list = cache.eventsFor('Node', '', node.metadata.name);
      what = `node ${node.metadata.name}`;
    }
    const seen = new Set<string>();
    list = list.filter((e) => !seen.has(e.metadata.uid) && seen.add(e.metadata.uid)).sort((a, b) => b.lastAt - a.lastAt);
    if (!list.length) return reply({ kind: 'text', text: `no recent events about ${what}` });
    const now = Date.now();
    return reply(
      { kind: 'heading', text: `events about ${what}` },
      {
        kind: 'table',
        columns: ['age', 'type', 'reason', 'object', 'count', 'message'],
        rows: list
          .slice(0, MAX_ROWS)
          .map((e) => [
            age(e.lastAt, now),
            e.type,
            e.reason,
            `${e.involved.kind}/${e.involved.name}`,
            String(e.count),
            neutralise(e.message.slice(0, 140)),
          ]),
      },
      { kind: 'context', text: `${Math.min(list.length, MAX_ROWS)} of ${list.length} event(s); the cache keeps the latest 20 per object.` },
    );
  },
};
