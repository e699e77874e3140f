/**
 * Guessing what an alert is about from its labels or tags, using the label names that
 * kube-state-metrics, node-exporter, Prometheus service discovery and OpenTelemetry use.
 */
import { memoize } from '../../core/memo.ts';
import type { AlertSubject } from '../model.ts';

// A target label that clashes with one Prometheus adds for the scrape target is kept as
// `exported_<name>`: when both exist the exported one describes the alert's target.
const NAMESPACE = [
  'exported_namespace',
  'namespace',
  'k8s.namespace',
  'k8s.namespace.name',
  'kubernetes_namespace',
  'kubernetes.namespace',
];
const POD = ['exported_pod', 'pod', 'pod_name', 'k8s.pod', 'k8s.pod.name', 'kubernetes_pod_name', 'kubernetes.pod'];
const CONTAINER = ['exported_container', 'container', 'container_name', 'k8s.container.name'];
const NODE = ['node', 'nodename', 'kubernetes_node', 'k8s.node', 'k8s.node.name', 'kubernetes.node', 'host.name'];
const CLUSTER = ['cluster', 'k8s.cluster', 'k8s.cluster.name', 'cluster_name'];
const WORKLOAD = [
  'workload',
  'statefulset',
  'deployment',
  'daemonset',
  'replicaset',
  'job_name',
  'cronjob',
  'k8s.statefulset.name',
  'k8s.deployment.name',
  'k8s.daemonset.name',
  'k8s.job.name',
  'owner_name',
  'created_by_name',
];
const IP = ['ip', 'pod_ip', 'host_ip', 'internal_ip', 'k8s.pod.ip', 'host.ip', 'client_ip'];
/**
 * Scrape jobs of exporters that report on other things: their `job` is never the workload, and
 * their `instance` is the exporter's own address — except for host exporters and probes, whose
 * `instance` is the host or the probed target.
 */
const EXPORTER_JOB = /kube-state-metrics|node-exporter|node_exporter|kubelet|cadvisor|blackbox|apiserver|prometheus|exporter/i;
const TARGET_INSTANCE_JOB = /node-exporter|node_exporter|windows-exporter|kubelet|cadvisor|blackbox/i;

const IPV4_PORT = /^((?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})(?::\d{1,5})?$/;
const IPV6 = /^[0-9a-f:]+(?:%[\w.-]+)?$/i;
const IPV6_PORT = /^\[([0-9a-f:]+(?:%[\w.-]+)?)\](?::\d{1,5})?$/i;

/** The IP in `10.0.3.17`, `10.0.3.17:9100`, `[fd00::1]:9100` or `fd00::1`, else undefined. */
export function ipOf(value: string | undefined): string | undefined {
  if (!value || value.length > 64) return undefined;
  if (value.charCodeAt(0) === 0x5b) {
    const v6 = IPV6_PORT.exec(value)?.[1];
    return v6?.includes(':') ? v6 : undefined;
  }
  const v4 = IPV4_PORT.exec(value)?.[1];
  if (v4) return v4;
  return value.indexOf(':') !== value.lastIndexOf(':') && IPV6.test(value) ? value : undefined;
}

/** The kinds of label that name part of a subject, each with its names by precedence. */
const KINDS = [CLUSTER, NAMESPACE, POD, CONTAINER, NODE, WORKLOAD, IP] as const;
const [CLUSTER_KIND, NAMESPACE_KIND, POD_KIND, CONTAINER_KIND, NODE_KIND, WORKLOAD_KIND, IP_KIND] = [0, 1, 2, 3, 4, 5, 6];

/** Label name → its kind and precedence (kind × 64 + rank). */
const NAME_KIND = new Map<string, number>(KINDS.flatMap((names, kind) => names.map((n, rank): [string, number] => [n, kind * 64 + rank])));

/**
 * The first non-empty value per kind, by precedence, in one pass over the labels: an alert has a
 * handful of labels, the kinds several dozen names.
 */
function subjectLabels(labels: Record<string, string>): Array<string | undefined> {
  const found: Array<string | undefined> = [undefined, undefined, undefined, undefined, undefined, undefined, undefined];
  const ranks = [64, 64, 64, 64, 64, 64, 64];
  for (const name of Object.keys(labels)) {
    const code = NAME_KIND.get(name);
    if (code === undefined) continue;
    const value = labels[name];
    const kind = code >> 6;
    if (value && (code & 63) < (ranks[kind] as number)) {
      ranks[kind] = code & 63;
      found[kind] = value;
    }
  }
  return found;
}

/** Hostname part of `instance` when it is `host:port` and not an IP (`ip` is what {@link ipOf} made of it). */
function instanceHost(instance: string | undefined, ip: string | undefined): string | undefined {
  if (!instance || ip) return undefined;
  const m = /^([A-Za-z0-9][A-Za-z0-9.-]*)(?::\d{1,5})?$/.exec(instance);
  return m?.[1];
}

/** What a scrape job's name says: whether it is an exporter's, and whether its `instance` is the target. */
const readJob = (job: string) => ({ exporter: EXPORTER_JOB.test(job), instanceIsTarget: TARGET_INSTANCE_JOB.test(job) });
const readJobRemembered = memoize(readJob, 1024);
/** Jobs are few and short: the reading of each is remembered, except for odd long ones. */
const jobKind = (job: string) => (job.length <= 128 ? readJobRemembered(job) : readJob(job));

/**
 * Subject from a label (or tag) set: pod, namespace, node and container labels first.
 * `instance` and `job` are the scrape target's, so they describe the alert's target only when
 * nothing else does: `instance` gives the IP (`ip:port`) or the node (a hostname) when there is
 * no pod, container or node label and the job is no exporter's, or when the job is a host
 * exporter or a probe (node-exporter, kubelet, blackbox);
 * `job` is the workload only without pod/workload labels and when it is not an exporter's job.
 * `exported_instance`/`exported_job` (the target's own labels kept aside) are used as they are.
 */
export function subjectFromLabels(labels: Record<string, string>, fallbackCluster?: string): AlertSubject {
  const subject: AlertSubject = {};
  const found = subjectLabels(labels);
  const cluster = found[CLUSTER_KIND] ?? fallbackCluster;
  if (cluster) subject.cluster = cluster;
  const namespace = found[NAMESPACE_KIND];
  if (namespace) subject.namespace = namespace;
  const pod = found[POD_KIND];
  if (pod) subject.pod = pod;
  const container = found[CONTAINER_KIND];
  if (container && container !== 'POD') subject.container = container;
  const nodeLabel = found[NODE_KIND];
  const job = labels.exported_job ?? labels.job;
  const scrape = jobKind(labels.job ?? '');
  const instanceIsTarget = scrape.instanceIsTarget || (!(pod || container || nodeLabel) && !scrape.exporter);
  const instance = labels.exported_instance ?? (instanceIsTarget ? labels.instance : undefined);
  const workload = found[WORKLOAD_KIND] ?? (!pod && job && (labels.exported_job || !jobKind(job).exporter) ? job : undefined);
  if (workload) subject.workload = workload;
  const instanceIp = ipOf(instance);
  const node = nodeLabel ?? instanceHost(instance, instanceIp);
  if (node) subject.node = node;
  const ip = instanceIp ?? ipOf(found[IP_KIND]);
  if (ip) subject.ip = ip;
  return subject;
}
