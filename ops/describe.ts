/** One line per step, as plans and `ops show` list them. */
import type { StepSpec } from './types.ts';

const obj = (r: { kind: string; namespace?: string; name: string }) =>
  `${r.kind.toLowerCase()} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
const kv = (m: Record<string, string | null> | undefined) =>
  Object.entries(m ?? {})
    .map(([k, v]) => (v === null ? `-${k}` : `${k}=${v}`))
    .join(', ');

export function describeStep(s: StepSpec): string {
  switch (s.type) {
    case 'patch-pod': {
      const parts = [s.labels ? `labels ${kv(s.labels)}` : '', s.annotations ? `annotations ${kv(s.annotations)}` : ''].filter(Boolean);
      return `PATCH ${obj(s.pod)} (uid ${s.pod.uid.slice(0, 8)}, resourceVersion precondition): ${parts.join('; ')}`;
    }
    case 'scale': {
      const extra = [
        s.reserveOrdinal !== undefined ? `spec.reserveOrdinals += ${s.reserveOrdinal}` : '',
        s.deleteSlot !== undefined ? `annotation delete-slots += ${s.deleteSlot}` : '',
        s.label ? `label ${s.label.key}=${s.label.value}` : '',
      ].filter(Boolean);
      return `PATCH ${obj(s.workload)} (${s.workload.apiVersion}, resourceVersion precondition): spec.replicas ${s.from} → ${s.to}${extra.length ? `, ${extra.join(', ')}` : ''}`;
    }
    case 'unlabel-workload':
      return `PATCH ${obj(s.workload)} (resourceVersion precondition): remove label ${s.key}`;
    case 'delete-pod':
      return `DELETE ${obj(s.pod)} (precondition uid ${s.pod.uid.slice(0, 8)})`;
    case 'cordon':
      return `PATCH node ${s.node} (resourceVersion precondition): spec.unschedulable=${s.unschedulable}`;
    case 'evict-node':
      return `POST pods/eviction for every pod on ${s.node} but DaemonSet and mirror pods (uid preconditions; 429 retried until the deadline)`;
    case 'verify-recreated':
      return `verify: ${s.pod.name} ${s.sameName ? 'recreated under the same name' : 'replaced'} and Ready${s.fixedIp ? `, IP ${s.fixedIp} kept` : ''}, ${s.replicas} replicas Ready`;
    case 'verify-removed':
      return `verify: ${s.pod.name} gone, ${s.workload.name} at ${s.replicas} replicas all Ready, its other ${s.keep.length} pods untouched`;
  }
}

/** Steps that write to the cluster (red lines are checked again before each). */
export const writes = (s: StepSpec): boolean => !s.type.startsWith('verify-');
