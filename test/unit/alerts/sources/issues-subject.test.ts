import { describe, expect, it } from 'vitest';
import { BODY_PATH, formatPath } from '../../../../alerts/sources/issues.ts';
import { ipOf, subjectFromLabels } from '../../../../alerts/sources/subject.ts';
import { parseSentryAuthHeader } from '../../../../alerts/sources/sentry-auth.ts';

describe('issue paths', () => {
  it('renders dotted and bracketed paths', () => {
    expect(formatPath(['alerts', 3, 'labels', 'severity'])).toBe('alerts[3].labels.severity');
    expect(formatPath(['labels', 'app.kubernetes.io/name'])).toBe('labels["app.kubernetes.io/name"]');
    expect(formatPath([0, 'reason'])).toBe('[0].reason');
    expect(formatPath(['level'], 'items[2].payload')).toBe('items[2].payload.level');
    expect(formatPath([])).toBe(BODY_PATH);
  });
});

describe('subjects from labels', () => {
  it('finds IPs in instance-style values', () => {
    expect(ipOf('10.0.3.17:9100')).toBe('10.0.3.17');
    expect(ipOf('10.0.3.17')).toBe('10.0.3.17');
    expect(ipOf('[fd00::17]:9100')).toBe('fd00::17');
    expect(ipOf('fd00::17')).toBe('fd00::17');
    expect(ipOf('node-7:9100')).toBeUndefined();
    expect(ipOf('999.0.0.1:80')).toBeUndefined();
    expect(ipOf('10.0.3.17:http')).toBeUndefined();
  });

  it('maps Kubernetes, node-exporter and OpenTelemetry names', () => {
    expect(
      subjectFromLabels({ exported_namespace: 'db', deployment: 'api', kubernetes_node: 'node-1', instance: '10.0.0.5:8080' }, 'prod'),
    ).toEqual({
      cluster: 'prod',
      namespace: 'db',
      workload: 'api',
      node: 'node-1',
    });
    expect(
      subjectFromLabels({ 'k8s.namespace.name': 'db', 'k8s.pod.name': 'mysql-0', 'k8s.node.name': 'node-2', 'k8s.cluster.name': 'sh' }),
    ).toEqual({
      cluster: 'sh',
      namespace: 'db',
      pod: 'mysql-0',
      node: 'node-2',
    });
    expect(subjectFromLabels({ instance: 'node-7.prod.internal:9100' })).toEqual({ node: 'node-7.prod.internal' });
  });

  it('takes the subject from pod, namespace, node and container labels, not from the exporter that reported it', () => {
    // kube-state-metrics: instance is its own pod IP, job its scrape job; the alert is about shop/cart-0.
    const ksm = {
      alertname: 'KubePodCrashLooping',
      namespace: 'shop',
      pod: 'cart-0',
      container: 'app',
      job: 'kube-state-metrics',
      instance: '10.244.1.5:8080',
    };
    expect(subjectFromLabels(ksm)).toEqual({ namespace: 'shop', pod: 'cart-0', container: 'app' });
    // Prometheus operator scraping it through a service: the target's labels are kept as exported_*.
    expect(
      subjectFromLabels({
        namespace: 'monitoring',
        pod: 'kube-state-metrics-7d9f',
        exported_namespace: 'shop',
        exported_pod: 'cart-0',
        job: 'kube-state-metrics',
        instance: '10.244.1.5:8080',
      }),
    ).toEqual({ namespace: 'shop', pod: 'cart-0' });
    // A deployment-level kube-state-metrics alert has no pod, and the exporter's address is still not the target.
    expect(subjectFromLabels({ namespace: 'shop', deployment: 'cart', job: 'kube-state-metrics', instance: '10.244.1.5:8080' })).toEqual({
      namespace: 'shop',
      workload: 'cart',
    });
    // cAdvisor (through the kubelet) reports the node it runs on as instance: that is the node.
    expect(subjectFromLabels({ namespace: 'shop', pod: 'cart-0', container: 'POD', job: 'kubelet', instance: '10.0.3.17:10250' })).toEqual({
      namespace: 'shop',
      pod: 'cart-0',
      ip: '10.0.3.17',
    });
    // node-exporter: instance is the host.
    expect(subjectFromLabels({ alertname: 'NodeFilesystemAlmostOutOfSpace', job: 'node-exporter', instance: '10.0.3.17:9100' })).toEqual({
      ip: '10.0.3.17',
    });
    // An application scraped directly: instance and job describe it.
    expect(subjectFromLabels({ alertname: 'HighErrorRate', job: 'payments-api', instance: '10.0.4.2:8080' })).toEqual({
      workload: 'payments-api',
      ip: '10.0.4.2',
    });
    expect(
      subjectFromLabels({ exported_job: 'payments-api', exported_instance: '10.0.4.2:8080', job: 'federate', instance: 'prom-b:9090' }),
    ).toEqual({
      workload: 'payments-api',
      ip: '10.0.4.2',
    });
  });

  it('parses X-Sentry-Auth without letting keys pollute anything', () => {
    expect(parseSentryAuthHeader('Sentry sentry_key=abc, sentry_version=7, sentry_client=raven-python/6.10.0')).toEqual({
      sentry_key: 'abc',
      sentry_version: '7',
      sentry_client: 'raven-python/6.10.0',
    });
    const parsed = parseSentryAuthHeader('Sentry __proto__=x, sentry_key=k');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(parsed.sentry_key).toBe('k');
  });
});
