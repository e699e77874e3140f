import { reply } from '../core/reply.ts';
import type { Block } from '../core/reply.ts';
import { formatBytes, formatCpu } from '../kube/quantity.ts';
import type { NodeRecord } from '../kube/records.ts';
import type { KubeCache } from '../kube/cache.ts';
import type { Alert } from '../alerts/model.ts';
import type { Incidents } from '../alerts/pipeline/incidents.ts';
import { age, argOf, isActive, kubeOf, requireNode } from './kube-lookup.ts';
import type { Handler } from './types.ts';

const ZONE_LABELS = ['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone'];
const REGION_LABELS = ['topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/region'];
const pct = (used: number, total: number) => (total > 0 ? `${Math.round((used / total) * 100)}%` : '-');

function labelOf(n: NodeRecord, keys: string[]): string {
  for (const k of keys) if (n.labels[k]) return n.labels[k] as string;
  return '';
}

/** Disk type from the usual label spellings (`disktype`, `disk-type`, `node.kubernetes.io/disk-type`, …). */
function diskType(n: NodeRecord): string {
  for (const [k, v] of Object.entries(n.labels)) if (/disk[-_]?type|storage[-_]?type/i.test(k)) return v;
  return '';
}

function roles(n: NodeRecord): string {
  const r = Object.keys(n.labels)
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice(24));
  return r.join(',') || n.labels['kubernetes.io/role'] || '<none>';
}

/** Everything `host` shows about one node, as reply blocks. */
export function hostBlocks(cache: KubeCache, node: NodeRecord, now = Date.now()): Block[] {
  const name = node.metadata.name;
  const ready = node.conditions.find((c) => c.type === 'Ready');
  const pods = cache.podsOnNode(name);
  const active = pods.filter(isActive);
  const cpu = active.reduce((s, p) => s + p.cpuRequestMillis, 0);
  const mem = active.reduce((s, p) => s + p.memoryRequestBytes, 0);
  const a = node.allocatable;
  const c = node.capacity;
  const byNs = new Map<string, number>();
  for (const p of active) byNs.set(p.metadata.namespace, (byNs.get(p.metadata.namespace) ?? 0) + 1);
  const status =
    ready?.status === 'True' ? 'Ready' : ready ? `NotReady (${ready.status}${ready.reason ? `, ${ready.reason}` : ''})` : 'Unknown';
  const fields = [
    { label: 'node', value: name },
    { label: 'status', value: `${status}${node.unschedulable ? ', SchedulingDisabled (cordoned)' : ''}` },
    { label: 'addresses', value: node.addresses.map((x) => `${x.address} (${x.type})`).join(', ') || '-' },
    { label: 'roles', value: roles(node) },
    { label: 'zone', value: labelOf(node, ZONE_LABELS) || '-' },
    { label: 'region', value: labelOf(node, REGION_LABELS) || '-' },
    {
      label: 'instance type',
      value: node.labels['node.kubernetes.io/instance-type'] ?? node.labels['beta.kubernetes.io/instance-type'] ?? '-',
    },
    { label: 'disk type', value: diskType(node) || '-' },
    { label: 'cordoned', value: node.unschedulable ? 'yes' : 'no' },
    { label: 'taints', value: node.taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(', ') || '<none>' },
    { label: 'kubelet', value: node.kubeletVersion || '-' },
    { label: 'runtime', value: node.runtimeVersion || '-' },
    { label: 'kernel', value: node.kernelVersion || '-' },
    { label: 'os', value: node.osImage || '-' },
    { label: 'age', value: age(node.metadata.createdAt, now) },
  ];
  const blocks: Block[] = [
    { kind: 'heading', text: `host ${name}` },
    { kind: 'fields', fields },
    {
      kind: 'table',
      columns: ['resource', 'capacity', 'allocatable', 'requested', 'requested %'],
      rows: [
        ['cpu', formatCpu(c.cpuMillis), formatCpu(a.cpuMillis), formatCpu(cpu), pct(cpu, a.cpuMillis)],
        ['memory', formatBytes(c.memoryBytes), formatBytes(a.memoryBytes), formatBytes(mem), pct(mem, a.memoryBytes)],
        ['pods', String(c.pods), String(a.pods), String(active.length), pct(active.length, a.pods)],
      ],
    },
    {
      kind: 'table',
      columns: ['condition', 'status', 'reason', 'since'],
      rows: node.conditions.map((x) => [x.type, x.status, x.reason || '-', age(x.lastTransition, now)]),
    },
  ];
  if (byNs.size) {
    blocks.push({
      kind: 'table',
      columns: ['namespace', 'pods'],
      rows: [...byNs.entries()].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).map(([ns, n]) => [ns, String(n)]),
    });
  } else {
    blocks.push({ kind: 'context', text: 'no pods run on this node' });
  }
  const events = cache.eventsFor('Node', '', name).slice(0, 10);
  if (events.length) {
    blocks.push({
      kind: 'table',
      columns: ['age', 'type', 'reason', 'message'],
      rows: events.map((e) => [age(e.lastAt, now), e.type, e.reason, e.message.slice(0, 120)]),
    });
  }
  blocks.push({ kind: 'actions', actions: [{ label: 'pods', command: `pods ${name}` }] });
  return blocks;
}

/** `host <ip|node>`: what a node is, how loaded and how healthy, from the cache. */
export const host: Handler = {
  name: 'host',
  role: 'viewer',
  usage: 'host <ip|node>',
  summary: 'node identity, addresses, capacity and requests, conditions, taints, pods, recent events, open alerts',
  async run(ctx) {
    const kube = await kubeOf(ctx);
    const node = requireNode(kube.cache, argOf(ctx, this.usage));
    const blocks = hostBlocks(kube.cache, node);
    const open = await openAlertsOn(ctx.services.incidents, node);
    if (open.length > 0) {
      blocks.splice(blocks.length - 1, 0, {
        kind: 'table',
        columns: ['ref', 'alert', 'severity', 'subject', 'since'],
        rows: open.map(({ ref, alert }) => [
          ref,
          alert.labels.alertname ?? '',
          alert.severity,
          alert.subject.pod ? `${alert.subject.namespace}/${alert.subject.pod}` : (alert.subject.node ?? ''),
          age(Date.parse(alert.startsAt), Date.now()),
        ]),
      });
    }
    return reply(...blocks);
  },
};

/** Firing alerts of open incidents whose subject is this node (by name or any of its addresses). */
async function openAlertsOn(incidents: Incidents, node: NodeRecord): Promise<Array<{ ref: string; alert: Alert }>> {
  const names = new Set([node.metadata.name, ...node.addresses.map((a) => a.address)]);
  const out: Array<{ ref: string; alert: Alert }> = [];
  for (const incident of await incidents.open(500)) {
    for (const alert of incident.last?.firing ?? []) {
      if ((alert.subject.node && names.has(alert.subject.node)) || (alert.subject.ip && names.has(alert.subject.ip)))
        out.push({ ref: incident.ref, alert });
    }
  }
  return out.slice(0, 20);
}
