import { humanTime, type TimeDisplay } from '../core/time.ts';
import { reply } from '../core/reply.ts';
import type { Block } from '../core/reply.ts';
import { formatDuration } from '../kube/alerts.ts';
import type { Incarnation } from '../kube/pod-history.ts';
import { formatBytes } from '../kube/quantity.ts';
import type { PodRecord } from '../kube/records.ts';
import type { KubeRuntime } from '../kube/runtime.ts';
import { isIP } from 'node:net';
import { age, argOf, findNode, findPods, kubeOf, requirePod } from './kube-lookup.ts';
import type { Handler } from './types.ts';

/** `3 min ago (14:05 GMT+8)`, or `-` for an unknown time. */
type When = (ms: number) => string;

function lastTermination(p: PodRecord, when: When): string {
  const t = p.containers
    .flatMap((c) => [c.lastTerminated, c.terminated].filter(Boolean).map((x) => ({ c: c.name, ...x! })))
    .sort((a, b) => b.finishedAt - a.finishedAt)[0];
  return t ? `${t.reason || 'Terminated'} (container ${t.c}, exit ${t.exitCode}, ${when(t.finishedAt)})` : '-';
}

/** Why an incarnation ended; an operation is named with its id and who ran it. */
const endReason = (i: Incarnation): string => (i.reason === 'operation' ? `operation ${i.detail}` : i.reason || 'ended');

function historyBlocks(chain: Incarnation[], when: When): Block[] {
  if (chain.length === 0) return [];
  const rows = chain.map((i) => [
    i.name,
    i.node || '-',
    i.ip || '-',
    when(i.createdAt),
    i.readyAt ? when(i.readyAt) : '-',
    i.endedAt ? `${when(i.endedAt)} (${endReason(i)})` : 'running',
  ]);
  const moves: string[] = [];
  for (let k = 1; k < chain.length; k++) {
    const a = chain[k - 1] as Incarnation;
    const b = chain[k] as Incarnation;
    if (!a.node || !b.node) continue;
    const ip = a.ip && a.ip === b.ip ? `IP kept ${b.ip}` : `IP ${a.ip || '-'} → ${b.ip || '-'}`;
    const stopped = a.lostAt || a.endedAt;
    const short = stopped && b.readyAt ? `, short ${formatDuration(b.readyAt - stopped)}` : '';
    const why = a.reason === 'operation' ? `operation ${a.detail}` : a.reason || 'replaced';
    moves.push(`${a.node === b.node ? `restarted on ${b.node}` : `${a.node} → ${b.node}`} (${why}), ${ip}${short}`);
  }
  const blocks: Block[] = [{ kind: 'table', columns: ['pod', 'node', 'ip', 'created', 'ready', 'ended'], rows }];
  if (moves.length) blocks.push({ kind: 'text', text: `migrations:\n${moves.map((m) => `• ${m}`).join('\n')}` });
  return blocks;
}

/** Everything `pod` shows about one pod, history included. */
export async function podBlocks(
  kube: KubeRuntime,
  p: PodRecord,
  others: PodRecord[] = [],
  now = Date.now(),
  display: TimeDisplay = {},
): Promise<Block[]> {
  const when: When = (ms) => (ms ? humanTime(ms, { ...display, now }) : '-');
  const { cache } = kube;
  const ns = p.metadata.namespace;
  const name = p.metadata.name;
  const w = cache.workloadOf(p);
  const restarts = p.containers.reduce((s, c) => s + c.restartCount, 0);
  const node = p.nodeName ? cache.node(p.nodeName) : undefined;
  const nodeIP = node?.addresses.find((a) => a.type === 'InternalIP')?.address ?? p.hostIP;
  const fields = [
    { label: 'pod', value: `${ns}/${name}` },
    { label: 'node', value: p.nodeName ? `${p.nodeName}${nodeIP ? ` (${nodeIP})` : ''}` : 'not scheduled' },
    { label: 'ip', value: `${p.podIP || '-'}${p.hostNetwork ? ' (host network)' : ''}` },
    { label: 'phase', value: `${p.deletedAt ? 'Terminating' : p.phase || 'Unknown'}${p.reason ? ` (${p.reason})` : ''}` },
    { label: 'ready', value: p.ready ? `yes, since ${when(p.readyAt)}` : 'no' },
    { label: 'owner', value: p.owner ? `${p.owner.kind}/${p.owner.name}` : '<none>' },
    { label: 'workload', value: w ? `${w.kind}/${w.name}` : '<none>' },
    { label: 'restarts', value: String(restarts) },
    { label: 'last termination', value: lastTermination(p, when) },
    { label: 'age', value: age(p.metadata.createdAt, now) },
  ];
  const team = w?.record?.annotations?.['firstmate.io/owner'];
  if (team) fields.push({ label: 'team', value: team });
  if (p.message) fields.push({ label: 'message', value: p.message });
  const blocks: Block[] = [
    { kind: 'heading', text: `pod ${ns}/${name}` },
    { kind: 'fields', fields },
    {
      kind: 'table',
      columns: ['container', 'state', 'restarts', 'last termination', 'memory limit'],
      rows: p.containers.map((c) => [
        c.name,
        `${c.state}${c.stateReason ? ` (${c.stateReason})` : ''}`,
        String(c.restartCount),
        c.lastTerminated ? `${c.lastTerminated.reason} exit ${c.lastTerminated.exitCode}` : '-',
        c.memoryLimitBytes ? formatBytes(c.memoryLimitBytes) : '-',
      ]),
    },
  ];
  blocks.push(...historyBlocks(await kube.history(ns, name), when));
  const events = cache.eventsFor('Pod', ns, name).slice(0, 8);
  if (events.length) {
    blocks.push({
      kind: 'table',
      columns: ['age', 'type', 'reason', 'message'],
      rows: events.map((e) => [age(e.lastAt, now), e.type, e.reason, e.message.slice(0, 120)]),
    });
  }
  if (others.length) {
    blocks.push({
      kind: 'context',
      text: `also matching: ${others
        .slice(0, 5)
        .map((o) => `${o.metadata.namespace}/${o.metadata.name}${o.hostNetwork ? ' (host network)' : ''}`)
        .join(', ')}`,
    });
  }
  if (p.nodeName) blocks.push({ kind: 'actions', actions: [{ label: `host ${p.nodeName}`, command: `host ${p.nodeName}` }] });
  return blocks;
}

/** The pods that used to have an IP no pod has now, from the history in Redis. */
async function formerHolders(kube: KubeRuntime, ip: string, namespaces: string[], display: TimeDisplay = {}): Promise<Block[]> {
  const when: When = (ms) => (ms ? humanTime(ms, display) : '-');
  const found = (await kube.historyByIp(ip)).filter(({ workload }) => {
    const ns = workload.split('/')[1] ?? '';
    return namespaces.includes('*') || namespaces.includes(ns);
  });
  if (!found.length) return [];
  const blocks: Block[] = [{ kind: 'heading', text: `no pod has ${ip} now; it belonged to` }];
  for (const { workload, chain } of found.slice(0, 3)) {
    const had = chain.filter((i) => i.ip === ip).at(-1);
    const now = chain.at(-1);
    const ns = workload.split('/')[1] ?? '';
    const text = [
      `${workload}: pod ${ns}/${had?.name ?? '?'} on ${had?.node || '-'} had ${ip}`,
      had?.endedAt ? `until ${when(had.endedAt)} (${endReason(had)})` : '',
      now && now !== had ? `; now ${ns}/${now.name} on ${now.node || '-'} with ${now.ip || 'no IP'}` : '',
    ].join(' ');
    blocks.push({ kind: 'text', text }, ...historyBlocks(chain, when));
    if (now && !now.endedAt)
      blocks.push({ kind: 'actions', actions: [{ label: `pod ${ns}/${now.name}`, command: `pod ${ns}/${now.name}` }] });
  }
  return blocks;
}

/** `pod <ip|ns/name>`: node, owner, phase, restarts, last termination, IP and node history. */
export const pod: Handler = {
  name: 'pod',
  role: 'viewer',
  usage: 'pod <ip|ns/name>',
  summary: 'a pod: node, owner, phase, restarts, last termination, IP and node history (also of an IP no pod has now)',
  async run(ctx) {
    const kube = await kubeOf(ctx);
    const query = argOf(ctx, this.usage);
    if (isIP(query) && findPods(kube.cache, query).length === 0 && !findNode(kube.cache, query)) {
      const former = await formerHolders(kube, query, ctx.user.namespaces, ctx.services.display);
      if (former.length) return reply(...former);
    }
    const { pod: p, others } = requirePod(kube.cache, query);
    return reply(...(await podBlocks(kube, p, others, Date.now(), ctx.services.display)));
  },
};
