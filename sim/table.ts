/**
 * Server-side printing: `meta.k8s.io/v1` Table answers for clients that ask for them
 * (`Accept: application/json;as=Table;...`, as kubectl does), with kubectl's usual columns for
 * pods, nodes, events and workloads and Name/Age for everything else.
 */
import type { ResourceDef } from './resources.ts';
import type { KubeObject, Node, Pod, Workload } from './types.ts';

interface Column {
  name: string;
  type?: string;
  format?: string;
  priority?: number;
  cell: (o: KubeObject) => string | number;
}

/** kubectl's short human duration ("45s", "12m", "5h", "3d5h", "119d"). */
export function humanAge(from: string | undefined, now = Date.now()): string {
  if (!from) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(from)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return `${d}d${h % 24 ? `${h % 24}h` : ''}`;
  if (d < 730) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

const name: Column = { name: 'Name', format: 'name', cell: (o) => o.metadata.name ?? '' };
const age: Column = { name: 'Age', cell: (o) => humanAge(o.metadata.creationTimestamp) };

function podStatus(p: Pod): string {
  if (p.metadata.deletionTimestamp) return 'Terminating';
  if (p.status?.reason) return p.status.reason;
  const waiting = p.status?.containerStatuses?.find((c) => c.state.waiting?.reason)?.state.waiting?.reason;
  const exited =
    p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed'
      ? p.status.containerStatuses?.find((c) => c.state.terminated?.reason)?.state.terminated?.reason
      : undefined;
  return waiting ?? exited ?? p.status?.phase ?? 'Pending';
}

function nodeStatus(n: Node): string {
  const ready = n.status.conditions?.find((c) => c.type === 'Ready')?.status;
  const base = ready === 'True' ? 'Ready' : ready === 'False' ? 'NotReady' : 'Unknown';
  return n.spec.unschedulable ? `${base},SchedulingDisabled` : base;
}

const num = (o: KubeObject, field: string): number => Number(((o as Workload).status as Record<string, unknown> | undefined)?.[field] ?? 0);

const specField = (o: KubeObject, field: string): string => {
  const v = (o.spec as Record<string, unknown> | undefined)?.[field];
  return v === undefined || v === null ? 'N/A' : String(v as string | number);
};

function jobStatus(o: KubeObject): string {
  const conditions = (o.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  const done = conditions.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  return done ? done.type : 'Running';
}

const COLUMNS: Record<string, Column[]> = {
  poddisruptionbudgets: [
    name,
    { name: 'Min Available', cell: (o) => specField(o, 'minAvailable') },
    { name: 'Max Unavailable', cell: (o) => specField(o, 'maxUnavailable') },
    { name: 'Allowed Disruptions', type: 'integer', cell: (o) => num(o, 'disruptionsAllowed') },
    age,
  ],
  daemonsets: [
    name,
    { name: 'Desired', type: 'integer', cell: (o) => num(o, 'desiredNumberScheduled') },
    { name: 'Current', type: 'integer', cell: (o) => num(o, 'currentNumberScheduled') },
    { name: 'Ready', type: 'integer', cell: (o) => num(o, 'numberReady') },
    { name: 'Up-to-date', type: 'integer', cell: (o) => num(o, 'updatedNumberScheduled') },
    { name: 'Available', type: 'integer', cell: (o) => num(o, 'numberAvailable') },
    age,
  ],
  jobs: [
    name,
    { name: 'Status', cell: jobStatus },
    {
      name: 'Completions',
      cell: (o) => `${num(o, 'succeeded')}/${specField(o, 'completions') === 'N/A' ? 1 : specField(o, 'completions')}`,
    },
    age,
  ],
  pods: [
    name,
    {
      name: 'Ready',
      cell: (o) => {
        const cs = (o as Pod).status?.containerStatuses ?? [];
        return `${cs.filter((c) => c.ready).length}/${(o as Pod).spec.containers.length}`;
      },
    },
    { name: 'Status', cell: (o) => podStatus(o as Pod) },
    {
      name: 'Restarts',
      type: 'integer',
      cell: (o) => ((o as Pod).status?.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0),
    },
    age,
    { name: 'IP', priority: 1, cell: (o) => (o as Pod).status?.podIP ?? '<none>' },
    { name: 'Node', priority: 1, cell: (o) => (o as Pod).spec.nodeName ?? '<none>' },
  ],
  nodes: [
    name,
    { name: 'Status', cell: (o) => nodeStatus(o as Node) },
    {
      name: 'Roles',
      cell: (o) =>
        Object.keys(o.metadata.labels ?? {})
          .filter((k) => k.startsWith('node-role.kubernetes.io/'))
          .map((k) => k.split('/')[1])
          .join(',') || '<none>',
    },
    age,
    { name: 'Version', cell: (o) => (o as Node).status.nodeInfo?.kubeletVersion ?? '' },
    {
      name: 'Internal-IP',
      priority: 1,
      cell: (o) => (o as Node).status.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '<none>',
    },
    { name: 'OS-Image', priority: 1, cell: (o) => (o as Node).status.nodeInfo?.osImage ?? '' },
    { name: 'Kernel-Version', priority: 1, cell: (o) => (o as Node).status.nodeInfo?.kernelVersion ?? '' },
    { name: 'Container-Runtime', priority: 1, cell: (o) => (o as Node).status.nodeInfo?.containerRuntimeVersion ?? '' },
  ],
  events: [
    { name: 'Last Seen', cell: (o) => humanAge((o.lastTimestamp as string | undefined) ?? o.metadata.creationTimestamp) },
    { name: 'Type', cell: (o) => String(o.type ?? '') },
    { name: 'Reason', cell: (o) => String(o.reason ?? '') },
    {
      name: 'Object',
      cell: (o) => {
        const i = o.involvedObject as { kind?: string; name?: string } | undefined;
        return `${(i?.kind ?? '').toLowerCase()}/${i?.name ?? ''}`;
      },
    },
    { name: 'Message', cell: (o) => String(o.message ?? '') },
  ],
  deployments: [
    name,
    { name: 'Ready', cell: (o) => `${num(o, 'readyReplicas')}/${(o as Workload).spec.replicas ?? 1}` },
    { name: 'Up-to-date', type: 'integer', cell: (o) => num(o, 'updatedReplicas') },
    { name: 'Available', type: 'integer', cell: (o) => num(o, 'availableReplicas') },
    age,
  ],
  replicasets: [
    name,
    { name: 'Desired', type: 'integer', cell: (o) => (o as Workload).spec.replicas ?? 1 },
    { name: 'Current', type: 'integer', cell: (o) => num(o, 'replicas') },
    { name: 'Ready', type: 'integer', cell: (o) => num(o, 'readyReplicas') },
    age,
  ],
};
const STATEFULSET: Column[] = [
  name,
  { name: 'Ready', cell: (o) => `${num(o, 'readyReplicas')}/${(o as Workload).spec.replicas ?? 1}` },
  age,
];

/** True when the Accept header asks for a Table. */
export function wantsTable(accept: string | undefined): boolean {
  return Boolean(accept && /as=Table/.test(accept));
}

/** Renders objects as a Table; `includeObject=Object` embeds whole objects instead of metadata. */
export function toTable(
  def: ResourceDef,
  items: KubeObject[],
  meta: Record<string, unknown>,
  includeObject: string | null,
): Record<string, unknown> {
  const columns = COLUMNS[def.id] ?? (def.plural === 'statefulsets' ? STATEFULSET : [name, age]);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: meta,
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type ?? 'string',
      format: c.format ?? '',
      description: '',
      priority: c.priority ?? 0,
    })),
    rows: items.map((o) => ({
      cells: columns.map((c) => c.cell(o)),
      object: includeObject === 'Object' ? o : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
