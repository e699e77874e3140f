/** `nodes [notready|cordoned|pressure]`: nodes with their state, optionally only the troubled ones. */
import { UserError } from '../core/errors.ts';
import { reply } from '../core/reply.ts';
import type { NodeRecord } from '../kube/records.ts';
import { readyStatus, zoneOf } from '../kube/storm.ts';
import { age, kubeOf } from './kube-lookup.ts';
import type { Handler } from './types.ts';

const MAX_ROWS = 60;
const PRESSURES = ['MemoryPressure', 'DiskPressure', 'PIDPressure'];

const pressures = (n: NodeRecord) => n.conditions.filter((c) => PRESSURES.includes(c.type) && c.status === 'True').map((c) => c.type);
const problems = (n: NodeRecord) =>
  n.conditions.filter((c) => c.status === 'True' && !['Ready', ...PRESSURES].includes(c.type)).map((c) => c.type);

const filters: Record<string, (n: NodeRecord) => boolean> = {
  notready: (n) => readyStatus(n) !== 'True',
  cordoned: (n) => n.unschedulable,
  pressure: (n) => pressures(n).length > 0,
};

export const nodes: Handler = {
  name: 'nodes',
  role: 'viewer',
  usage: 'nodes [notready|cordoned|pressure]',
  summary: 'nodes with their state; only NotReady, cordoned or under pressure ones',
  async run(ctx) {
    const kube = await kubeOf(ctx);
    const which = ctx.args[0]?.toLowerCase();
    const keep = which ? filters[which] : () => true;
    if (!keep) throw new UserError(`usage: ${this.usage}`);
    const all = [...kube.cache.nodes()];
    const list = all.filter(keep).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const now = Date.now();
    if (!list.length) return reply({ kind: 'text', text: `no ${which ?? ''} nodes (of ${all.length})`.replace('  ', ' ') });
    const rows = list.slice(0, MAX_ROWS).map((n) => {
      const ready = n.conditions.find((c) => c.type === 'Ready');
      return [
        n.metadata.name,
        n.addresses.find((a) => a.type === 'InternalIP')?.address ?? '-',
        zoneOf(n) || '-',
        `${readyStatus(n) === 'True' ? 'Ready' : `NotReady (${readyStatus(n) || '?'})`}${n.unschedulable ? ', cordoned' : ''}`,
        [...pressures(n), ...problems(n)].join(', ') || '-',
        ready && readyStatus(n) !== 'True' ? age(ready.lastTransition, now) : '-',
        String(kube.cache.podsOnNodeCount(n.metadata.name)),
      ];
    });
    const storm = kube.storm();
    return reply(
      { kind: 'heading', text: `${which ? `${which} ` : ''}nodes: ${list.length} of ${all.length}` },
      { kind: 'table', columns: ['node', 'ip', 'zone', 'status', 'conditions', 'down for', 'pods'], rows },
      {
        kind: 'context',
        text: `${list.length > MAX_ROWS ? `showing ${MAX_ROWS}. ` : ''}${storm.active ? `NotReady storm: ${storm.notReady.size} of ${storm.total} nodes down. ` : ''}\`host <node>\` for details.`,
      },
    );
  },
};
