/**
 * Guessing what an alert is about from its labels or tags, using the label names that
 * kube-state-metrics, node-exporter, Prometheus service discovery and OpenTelemetry use.
 */
import type { AlertSubject } from '../model.ts';

const NAMESPACE = ['namespace', 'exported_namespace', 'k8s.namespace', 'k8s.namespace.name', 'kubernetes_namespace', 'kubernetes.namespace'];
const POD = ['pod', 'exported_pod', 'pod_name', 'k8s.pod', 'k8s.pod.name', 'kubernetes_pod_name', 'kubernetes.pod'];
const NODE = ['node', 'nodename', 'kubernetes_node', 'k8s.node', 'k8s.node.name', 'kubernetes.node', 'host.name'];
const CLUSTER = ['cluster', 'k8s.cluster', 'k8s.cluster.name', 'cluster_name'];
const WORKLOAD = [
  'workload', 'statefulset', 'deployment', 'daemonset', 'replicaset', 'job_name', 'cronjob', 'job',
  'k8s.statefulset.name', 'k8s.deployment.name', 'k8s.daemonset.name', 'k8s.job.name', 'owner_name', 'created_by_name',
];
const IP = ['ip', 'pod_ip', 'host_ip', 'internal_ip', 'k8s.pod.ip', 'host.ip', 'client_ip'];

const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-f:]+(?:%[\w.-]+)?$/i;

/** The IP in `10.0.3.17`, `10.0.3.17:9100`, `[fd00::1]:9100` or `fd00::1`, else undefined. */
export function ipOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (v6?.[1] && IPV6.test(v6[1]) && v6[1].includes(':')) return v6[1];
  const [host, port, ...rest] = value.split(':');
  if (rest.length === 0 && host && IPV4.test(host) && (port === undefined || /^\d{1,5}$/.test(port))) return host;
  if (value.split(':').length > 2 && IPV6.test(value)) return value;
  return undefined;
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
 * Subject from a label (or tag) set. `instance` gives the IP when it is `ip:port`, and the node
 * when it is a hostname and no node label is present.
 */
export function subjectFromLabels(labels: Record<string, string>, fallbackCluster?: string): AlertSubject {
  const subject: AlertSubject = {};
  const cluster = first(labels, CLUSTER) ?? fallbackCluster;
  if (cluster) subject.cluster = cluster;
  const namespace = first(labels, NAMESPACE);
  if (namespace) subject.namespace = namespace;
  const workload = first(labels, WORKLOAD);
  if (workload) subject.workload = workload;
  const pod = first(labels, POD);
  if (pod) subject.pod = pod;
  const node = first(labels, NODE) ?? instanceHost(labels.instance);
  if (node) subject.node = node;
  const ip = ipOf(labels.instance) ?? ipOf(first(labels, IP));
  if (ip) subject.ip = ip;
  return subject;
}
