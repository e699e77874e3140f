import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../alerts/model.ts';
import { BUILTIN_ARTICLES_DIR, loadArticles } from '../../../knowledge/load.ts';
import { createMatcher, type Matcher } from '../../../knowledge/match.ts';

function alert(over: Partial<Alert> & { labels?: Record<string, string> }): Alert {
  return {
    source: 'alertmanager',
    fingerprint: '0123456789abcdef',
    status: 'firing',
    severity: 'warning',
    annotations: {},
    startsAt: '2026-11-26T10:00:00Z',
    subject: {},
    links: {},
    ...over,
    labels: over.labels ?? {},
  };
}

const ids = (m: Matcher, a: Alert) => m.match(a).map((x) => x.article.id);

describe('match on fixture articles', () => {
  let m: Matcher;
  beforeAll(async () => {
    m = createMatcher((await loadArticles([path.resolve('test/fixtures/knowledge/valid')])).articles);
  });

  it('ranks more matched conditions first, then exact over regex', () => {
    const a = alert({ labels: { alertname: 'KubeContainerOOMKilled', env: 'prod' } });
    expect(ids(m, a)).toEqual(['oom-specific', 'oom-exact', 'oom-generic']);
    const [first] = m.match(a);
    expect(first?.score).toEqual({ conditions: 2, exact: 2, regex: 0, tags: 0 });
    expect(first?.matched).toEqual(['alertname=KubeContainerOOMKilled', 'labels.env=prod']);
  });

  it('drops an article when one condition of its rule fails', () => {
    expect(ids(m, alert({ labels: { alertname: 'KubeContainerOOMKilled', env: 'staging' } }))).toEqual(['oom-exact', 'oom-generic']);
  });

  it('matches list items and regular expressions', () => {
    expect(ids(m, alert({ labels: { alertname: 'ContainerOOMKilled' } }))).toEqual(['oom-exact', 'oom-generic']);
    expect(ids(m, alert({ labels: { alertname: 'NodeSystemOOM' } }))).toEqual(['oom-generic']);
    expect(m.match(alert({ labels: { alertname: 'NodeSystemOOM' } }))[0]?.score).toEqual({ conditions: 1, exact: 0, regex: 1, tags: 0 });
  });

  it('reads Kubernetes reasons from the reason label or annotation, and the source', () => {
    expect(ids(m, alert({ labels: { alertname: 'Whatever', reason: 'OOMKilled' } }))).toEqual(['oom-specific']);
    expect(ids(m, alert({ labels: { alertname: 'Whatever' }, annotations: { reason: 'OOMKilled' } }))).toEqual(['oom-specific']);
    expect(ids(m, alert({ source: 'sentry', labels: { alertname: 'SentryIssue' } }))).toEqual(['sentry-only']);
  });

  it('puts tag-only matches last', () => {
    expect(ids(m, alert({ labels: { alertname: 'KubeContainerEvicted' } }))).toEqual(['oom-exact']);
    expect(m.match(alert({ labels: { alertname: 'KubeContainerEvicted' } }))[0]?.score.conditions).toBe(0);
    const both = ids(m, alert({ source: 'sentry', labels: { alertname: 'KubeContainerEvicted' } }));
    expect(both).toEqual(['sentry-only', 'oom-exact']);
  });

  it('matches nothing for an unrelated alert, or an empty label value', () => {
    expect(m.match(alert({ labels: { alertname: 'HighLatency' } }))).toEqual([]);
    expect(m.match(alert({ labels: { alertname: '' } }))).toEqual([]);
  });
});

describe('the shipped articles match the alerts firstmate produces', () => {
  let m: Matcher;
  beforeAll(async () => {
    m = createMatcher((await loadArticles([BUILTIN_ARTICLES_DIR])).articles);
  });

  const cases: Array<[string, Partial<Alert> & { labels: Record<string, string> }]> = [
    ['container-oom-killed', { source: 'kubernetes', labels: { alertname: 'KubeContainerOOMKilled', reason: 'OOMKilling' } }],
    ['container-oom-killed', { source: 'kubernetes', labels: { alertname: 'KubePodTerminated', reason: 'OOMKilled' } }],
    ['kubelet-pressure-eviction', { source: 'kubernetes', labels: { alertname: 'KubePodEvicted', reason: 'Evicted', resource: 'memory' } }],
    [
      'node-disk-pressure',
      { source: 'kubernetes', labels: { alertname: 'KubePodEvicted', reason: 'Evicted', resource: 'ephemeral-storage' } },
    ],
    ['node-notready-mass-eviction', { source: 'kubernetes', labels: { alertname: 'KubeNodeNotReady', reason: 'NodeNotReady' } }],
    ['node-notready-mass-eviction', { labels: { alertname: 'KubeNodeNotReadyStorm' }, severity: 'critical' }],
    [
      'node-notready-mass-eviction',
      { source: 'kubernetes', labels: { alertname: 'KubePodTaintEviction', reason: 'TaintManagerEviction' } },
    ],
    ['pod-migration-ip-retention', { source: 'kubernetes', labels: { alertname: 'KubePodMigrated' } }],
    ['sentry-error-spike', { source: 'sentry', labels: { alertname: 'SentryIssue', project: 'shop' } }],
    ['node-disk-pressure', { labels: { alertname: 'NodeDiskPressure' } }],
    ['tcp-retransmission-high', { labels: { alertname: 'NodeTCPRetransHigh', instance: '10.0.3.17:9100' } }],
    ['tcp-connection-states', { labels: { alertname: 'NodeTCPTimeWaitHigh' } }],
    ['devicemapper-pool-full', { labels: { alertname: 'DevicemapperPoolAlmostFull' } }],
    ['pod-crash-looping', { labels: { alertname: 'KubePodCrashLooping', pod: 'api-7f9c' } }],
    ['statefulset-delete-instance-by-ip', { labels: { alertname: 'KubePodCrashLooping', pod: 'mysql-2' } }],
    ['pod-crash-looping', { source: 'kubernetes', labels: { alertname: 'KubePodCrashLooping', reason: 'BackOff', name: 'mysql-2' } }],
  ];
  it.each(cases)('%s first for %j', (expected, a) => {
    expect(ids(m, alert(a))[0]).toBe(expected);
  });

  it('links a StatefulSet crash loop to both the crash-loop and the instance articles', () => {
    expect(
      ids(m, alert({ source: 'kubernetes', labels: { alertname: 'KubePodCrashLooping', reason: 'BackOff', name: 'mysql-2' } })).slice(0, 2),
    ).toEqual(['pod-crash-looping', 'statefulset-delete-instance-by-ip']);
  });
});
