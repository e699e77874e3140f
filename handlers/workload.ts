/** `workload <ns/name>`: replicas, ready, rollout status, open problems and pods with nodes and IPs. */
import { assertNamespace } from '../chat/authz.ts';
import { UserError } from '../core/errors.ts';
import { reply } from '../core/reply.ts';
import type { Block } from '../core/reply.ts';
import type { WorkloadKind, WorkloadRecord } from '../kube/records.ts';
import { age, argOf, kubeOf } from './kube-lookup.ts';
import type { Handler } from './types.ts';

const KINDS: WorkloadKind[] = ['Deployment', 'StatefulSet', 'Job', 'ReplicaSet'];
const MAX_PODS = 30;

function rollout(w: WorkloadRecord): string {
  const bad = w.conditions?.find((c) => c.status === 'False' || c.type === 'Failed');
  if (bad) return `${bad.type} ${bad.status}${bad.reason ? ` (${bad.reason})` : ''}${bad.message ? `: ${bad.message}` : ''}`;
  if (w.kind === 'Job') return w.conditions?.some((c) => c.type === 'Complete') ? 'complete' : 'running';
  return w.readyReplicas >= w.replicas ? 'complete' : `in progress (${w.readyReplicas}/${w.replicas} ready)`;
}

export const workload: Handler = {
  name: 'workload',
  role: 'viewer',
  usage: 'workload <ns/name>',
  summary: 'a workload: replicas, ready, rollout status, pods with nodes and IPs',
  async run(ctx) {
    const kube = await kubeOf(ctx);
    const { cache } = kube;
    const query = argOf(ctx, this.usage);
    const slash = query.indexOf('/');
    if (slash <= 0) throw new UserError(`usage: ${this.usage} (e.g. \`workload payments/mysql\`)`);
    const ns = query.slice(0, slash);
    const name = query.slice(slash + 1);
    assertNamespace(ctx.user, ns);
    const w = KINDS.map((k) => cache.workload(k, ns, name)).find(Boolean);
    if (!w) throw new UserError(`no Deployment, StatefulSet or Job ${ns}/${name}; \`pod <ip>\` names a pod's workload`);
    const pods = cache.podsOfWorkload(w.kind, ns, name).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const now = Date.now();
    const blocks: Block[] = [
      { kind: 'heading', text: `${w.kind} ${ns}/${name}` },
      {
        kind: 'fields',
        fields: [
          { label: w.kind === 'Job' ? 'completions' : 'replicas', value: String(w.replicas) },
          { label: w.kind === 'Job' ? 'succeeded' : 'ready', value: String(w.readyReplicas) },
          { label: 'rollout', value: rollout(w) },
          { label: 'age', value: age(w.metadata.createdAt, now) },
          ...(w.annotations?.['firstmate.io/owner'] ? [{ label: 'team', value: w.annotations['firstmate.io/owner'] }] : []),
        ],
      },
    ];
    if (pods.length)
      blocks.push({
        kind: 'table',
        columns: ['pod', 'ready', 'status', 'restarts', 'node', 'ip', 'age'],
        rows: pods.slice(0, MAX_PODS).map((p) => {
          const waiting = p.containers.find((c) => c.state === 'waiting' && c.stateReason)?.stateReason;
          return [
            p.metadata.name,
            p.ready ? 'yes' : 'no',
            p.deletedAt ? 'Terminating' : waiting || p.reason || p.phase || 'Unknown',
            String(p.containers.reduce((s, c) => s + c.restartCount, 0)),
            p.nodeName || '-',
            p.podIP || '-',
            age(p.metadata.createdAt, now),
          ];
        }),
      });
    blocks.push({
      kind: 'context',
      text: `${pods.length > MAX_PODS ? `showing ${MAX_PODS} of ${pods.length} pods. ` : `${pods.length} pod(s). `}\`events ${ns}/${name}\` for what happened.`,
    });
    return reply(...blocks);
  },
};
