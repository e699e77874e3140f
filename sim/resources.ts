/**
 * The resource types the simulated API server serves, and the discovery documents
 * (`/api`, `/apis`, `/api/v1`, `/apis/{group}/{version}`) derived from them.
 */
import { badRequest } from './status.ts';

/** One served resource type. */
export interface ResourceDef {
  /** Store id: the plural for built-in groups, `plural.group` for the custom StatefulSets (like `kubectl get`). */
  id: string;
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Subresources served besides the object itself. */
  subresources: string[];
  /** Field-selector fields beyond `metadata.name` and `metadata.namespace`. */
  fields: string[];
}

const POD_FIELDS = [
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.schedulerName',
  'spec.serviceAccountName',
  'spec.hostNetwork',
  'status.phase',
  'status.podIP',
  'status.nominatedNodeName',
];
const EVENT_FIELDS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
];

function def(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  extra: Partial<ResourceDef> = {},
): ResourceDef {
  const id = group.includes('.') && group !== 'coordination.k8s.io' ? `${plural}.${group}` : plural;
  return { id, group, version, kind, plural, singular: kind.toLowerCase(), namespaced, subresources: [], fields: [], ...extra };
}

export const RESOURCES: readonly ResourceDef[] = [
  def('', 'v1', 'Namespace', 'namespaces', false, { shortNames: ['ns'], subresources: ['status'], fields: ['status.phase'] }),
  def('', 'v1', 'Node', 'nodes', false, { shortNames: ['no'], subresources: ['status'], fields: ['spec.unschedulable'] }),
  def('', 'v1', 'Pod', 'pods', true, { shortNames: ['po'], subresources: ['status', 'binding', 'eviction', 'log'], fields: POD_FIELDS }),
  def('', 'v1', 'Event', 'events', true, { shortNames: ['ev'], fields: EVENT_FIELDS }),
  def('apps', 'v1', 'StatefulSet', 'statefulsets', true, { shortNames: ['sts'], subresources: ['status', 'scale'] }),
  def('apps', 'v1', 'Deployment', 'deployments', true, { shortNames: ['deploy'], subresources: ['status', 'scale'] }),
  def('apps', 'v1', 'ReplicaSet', 'replicasets', true, { shortNames: ['rs'], subresources: ['status', 'scale'] }),
  def('apps', 'v1', 'DaemonSet', 'daemonsets', true, { shortNames: ['ds'], subresources: ['status'] }),
  def('batch', 'v1', 'Job', 'jobs', true, { subresources: ['status'], fields: ['status.successful'] }),
  def('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  def('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, { shortNames: ['pdb'], subresources: ['status'] }),
  def('apps.kruise.io', 'v1beta1', 'StatefulSet', 'statefulsets', true, { shortNames: ['asts'], subresources: ['status', 'scale'] }),
  def('apps.pingcap.com', 'v1', 'StatefulSet', 'statefulsets', true, { subresources: ['status', 'scale'] }),
];

const byId = new Map(RESOURCES.map((r) => [r.id, r]));
const byFullName = new Map(RESOURCES.map((r) => [r.group ? `${r.plural}.${r.group}` : r.plural, r]));
const byPath = new Map(RESOURCES.map((r) => [`${r.group}/${r.version}/${r.plural}`, r]));

/** Finds a resource by store id (`pods`, `leases`, `statefulsets.apps.kruise.io`) or `plural.group` (`statefulsets.apps`). */
export function resourceById(id: string): ResourceDef {
  const found = byId.get(id) ?? byFullName.get(id);
  if (!found) throw badRequest(`unknown resource ${JSON.stringify(id)}`);
  return found;
}

/** Finds a resource by its URL parts; undefined when not served. */
export function resourceByPath(group: string, version: string, plural: string): ResourceDef | undefined {
  return byPath.get(`${group}/${version}/${plural}`);
}

export function apiVersionOf(r: ResourceDef): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/**
 * Discovery fields of subresources whose kind lives in another group, as the real server lists
 * them: kubectl drain evicts only when `pods/eviction` names group `policy` and a version (it then
 * posts a `policy/<version>` Eviction), and falls back to plain DELETE otherwise.
 */
const SUBRESOURCE_DOCS: Record<string, Record<string, unknown>> = {
  status: { verbs: ['get', 'patch', 'update'] },
  scale: { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] },
  binding: { kind: 'Binding', verbs: ['create'] },
  eviction: { group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
};

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** `/api/v1` or `/apis/{group}/{version}`; undefined for an unknown group version. */
export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const defs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (defs.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const r of defs) {
    resources.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: VERBS,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    });
    for (const sub of r.subresources) {
      resources.push({
        name: `${r.plural}/${sub}`,
        singularName: '',
        namespaced: r.namespaced,
        ...SUBRESOURCE_DOCS[sub],
        ...(sub === 'status' ? { kind: r.kind } : {}),
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

function groupDoc(group: string): Record<string, unknown> {
  const versions = [...new Set(RESOURCES.filter((r) => r.group === group).map((r) => r.version))].map((v) => ({
    groupVersion: `${group}/${v}`,
    version: v,
  }));
  return { name: group, versions, preferredVersion: versions[0] };
}

/** `/apis/{group}`; undefined for an unknown group. */
export function apiGroup(group: string): Record<string, unknown> | undefined {
  if (!RESOURCES.some((r) => r.group === group && group !== '')) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(group) };
}

/** `/apis`. */
export function apiGroupList(): Record<string, unknown> {
  const groups = [...new Set(RESOURCES.map((r) => r.group).filter((g) => g !== ''))];
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupDoc) };
}

/** `/api`. */
export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/** `/version`. */
export const VERSION_INFO = {
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.4-firstmate-sim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.22.10',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const byGvk = new Map(RESOURCES.map((r) => [`${apiVersionOf(r)}/${r.kind}`, r]));

/** Finds the resource of an object from its `apiVersion` and `kind`. */
export function resourceForObject(obj: { apiVersion?: string; kind?: string }): ResourceDef {
  const found = byGvk.get(`${obj.apiVersion ?? ''}/${obj.kind ?? ''}`);
  if (!found) throw badRequest(`no resource served for apiVersion ${JSON.stringify(obj.apiVersion)} kind ${JSON.stringify(obj.kind)}`);
  return found;
}
