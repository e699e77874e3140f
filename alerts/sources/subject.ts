/**
 * Guessing what an alert is about from its labels or tags, using the label names that
 * kube-state-metrics, node-exporter, Prometheus service discovery and OpenTelemetry use.
 */
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

function first(labels: Record<string, string>, names: string[]): string | undefined {
  for (const n of names) {
    const v = labels[n];
    if (v) return v;
  }
  return undefined;
}

/** Hostname part of `instance` when it is `host:port` and not an IP. */
function instanceHost(instance: string | undefined): string | undefined {
  if (!instance || ipOf(instance)) return undefined;
  const m = /^([A-Za-z0-9][A-Za-z0-9.-]*)(?::\d{1,5})?$/.exec(instance);
  return m?.[1];
}

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
  const cluster = first(labels, CLUSTER) ?? fallbackCluster;
  if (cluster) subject.cluster = cluster;
  const namespace = first(labels, NAMESPACE);
  if (namespace) subject.namespace = namespace;
  const pod = first(labels, POD);
  if (pod) subject.pod = pod;
  const container = first(labels, CONTAINER);
  if (container && container !== 'POD') subject.container = container;
  const nodeLabel = first(labels, NODE);
  const job = labels.exported_job ?? labels.job;
  const scrapeJob = labels.job ?? '';
  const instanceIsTarget = TARGET_INSTANCE_JOB.test(scrapeJob) || (!(pod || container || nodeLabel) && !EXPORTER_JOB.test(scrapeJob));
  const instance = labels.exported_instance ?? (instanceIsTarget ? labels.instance : undefined);
  const workload = first(labels, WORKLOAD) ?? (!pod && job && (labels.exported_job || !EXPORTER_JOB.test(job)) ? job : undefined);
  if (workload) subject.workload = workload;
  const node = nodeLabel ?? instanceHost(instance);
  if (node) subject.node = node;
  const ip = ipOf(instance) ?? ipOf(first(labels, IP));
  if (ip) subject.ip = ip;
  return subject;
}
