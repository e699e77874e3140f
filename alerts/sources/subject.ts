/**
 * Guessing what an alert is about from its labels or tags, using the label names that
 * kube-state-metrics, node-exporter, Prometheus service discovery and OpenTelemetry use.
 */
import type { AlertSubject } from '../model.ts';

const NAMESPACE = [
  'namespace',
  'exported_namespace',
  'k8s.namespace',
  'k8s.namespace.name',
  'kubernetes_namespace',
  'kubernetes.namespace',
];
const POD = ['pod', 'exported_pod', 'pod_name', 'k8s.pod', 'k8s.pod.name', 'kubernetes_pod_name', 'kubernetes.pod'];
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
  'job',
  'k8s.statefulset.name',
  'k8s.deployment.name',
  'k8s.daemonset.name',
  'k8s.job.name',
  'owner_name',
  'created_by_name',
];
const IP = ['ip', 'pod_ip', 'host_ip', 'internal_ip', 'k8s.pod.ip', 'host.ip', 'client_ip'];

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
