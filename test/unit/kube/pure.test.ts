import { describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../../alerts/model.ts';
import { kubeAlert } from '../../../kube/alerts.ts';
import { compactPod } from '../../../kube/compact.ts';
import { backoffDelay } from '../../../core/backoff.ts';
import { MultiIndex } from '../../../kube/multi-index.ts';
import { cpuMillis, formatBytes, quantityExact, quantityValue } from '../../../kube/quantity.ts';
import type { NodeRecord } from '../../../kube/records.ts';
import { detectStorm } from '../../../kube/storm.ts';

const node = (name: string, ready: string, at: number): NodeRecord => ({
  metadata: { name, namespace: '', uid: name, resourceVersion: '1', createdAt: 0 },
  kind: 'Node',
  labels: {},
  addresses: [],
  capacity: { cpuMillis: 0, memoryBytes: 0, pods: 0, ephemeralBytes: 0 },
  allocatable: { cpuMillis: 0, memoryBytes: 0, pods: 0, ephemeralBytes: 0 },
  conditions: [{ type: 'Ready', status: ready, reason: '', message: '', lastTransition: at }],
  taints: [],
  unschedulable: false,
  kubeletVersion: '',
  runtimeVersion: '',
  kernelVersion: '',
  osImage: '',
});

describe('quantities', () => {
  it('parses CPU and memory the way Kubernetes writes them', () => {
    expect(cpuMillis('250m')).toBe(250);
    expect(cpuMillis('2')).toBe(2000);
    expect(cpuMillis('1.5')).toBe(1500);
    expect(quantityValue('128Mi')).toBe(128 * 2 ** 20);
    expect(quantityValue('1G')).toBe(1e9);
    expect(quantityValue('1e3')).toBe(1000);
    expect(quantityValue('16311772Ki')).toBe(16311772 * 1024);
    expect(quantityValue('bogus')).toBe(0);
    expect(formatBytes(1536 * 2 ** 20)).toBe('1.5Gi');
  });
  it('keeps fractions where the simulator compares quantities', () => {
    expect(quantityExact('1Gi')).toBe(1024 ** 3);
    expect(quantityExact('128M')).toBe(128e6);
    expect(quantityExact('100m')).toBe(0.1);
    expect(quantityExact('bogus')).toBe(0);
    expect(quantityExact(undefined)).toBe(0);
  });
});

describe('storm detection', () => {
  const opts = { minShare: 0.3, minNodes: 3, windowMs: 60_000 };
  it('needs enough nodes going NotReady within the window', () => {
    const t = 1_000_000;
    const ten = Array.from({ length: 10 }, (_, i) => node(`n${i}`, 'True', 0));
    expect(detectStorm(ten, opts).active).toBe(false);
    ten[0] = node('n0', 'Unknown', t);
    ten[1] = node('n1', 'Unknown', t + 1000);
    expect(detectStorm(ten, opts).active).toBe(false);
    ten[2] = node('n2', 'False', t + 2000);
    const s = detectStorm(ten, opts);
    expect(s.active).toBe(true);
    expect(s.id).toBe(`storm-${Math.floor(t / 1000)}`);
    expect([...s.notReady].sort()).toEqual(['n0', 'n1', 'n2']);
  });
  it('ignores NotReady nodes spread over a long time', () => {
    const nodes = [node('a', 'False', 0), node('b', 'False', 600_000), node('c', 'False', 1_200_000), node('d', 'True', 0)];
    expect(detectStorm(nodes, opts).active).toBe(false);
  });
  it('applies the share threshold on large clusters', () => {
    const nodes = Array.from({ length: 100 }, (_, i) => node(`n${i}`, i < 20 ? 'Unknown' : 'True', 5000));
    expect(detectStorm(nodes, opts).active).toBe(false);
    for (let i = 20; i < 30; i++) nodes[i] = node(`n${i}`, 'Unknown', 6000);
    expect(detectStorm(nodes, opts).active).toBe(true);
  });
});

describe('compaction', () => {
  it('keeps what firstmate reads and drops the rest', () => {
    const rec = compactPod({
      metadata: {
        name: 'web-0',
        namespace: 'shop',
        uid: 'u1',
        resourceVersion: '7',
        creationTimestamp: '2026-01-01T00:00:00Z',
        deletionTimestamp: '2026-01-01T00:01:00Z',
        deletionGracePeriodSeconds: 30,
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'x'.repeat(10_000), 'firstmate.io/owner': 'team-a' },
        managedFields: [{ manager: 'kubectl' }],
        ownerReferences: [{ kind: 'StatefulSet', name: 'web', uid: 's1', controller: true }],
      },
      spec: {
        nodeName: 'n1',
        containers: [{ name: 'app', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } } }],
      },
      status: {
        phase: 'Running',
        podIP: '10.1.0.5',
        hostIP: '192.168.0.1',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date('2026-01-01T00:00:10Z') }],
        containerStatuses: [
          {
            name: 'app',
            restartCount: 2,
            ready: true,
            state: { running: {} },
            lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-01-01T00:00:05Z' } },
          },
        ],
      },
    });
    expect(rec.annotations).toEqual({ 'firstmate.io/owner': 'team-a' });
    expect(rec.deletedAt).toBe(Date.parse('2026-01-01T00:00:30Z'));
    expect(rec.readyAt).toBe(Date.parse('2026-01-01T00:00:10Z'));
    expect(rec.owner).toEqual({ kind: 'StatefulSet', name: 'web', uid: 's1' });
    expect(rec.cpuRequestMillis).toBe(100);
    expect(rec.containers[0]?.memoryLimitBytes).toBe(128 * 2 ** 20);
    expect(rec.containers[0]?.lastTerminated?.reason).toBe('OOMKilled');
    expect(JSON.stringify(rec)).not.toContain('last-applied');
    expect(JSON.stringify(rec)).not.toContain('managedFields');
  });
});

describe('alerts', () => {
  it('label the incident, copy owner routing, and fingerprint the labels', () => {
    const a = kubeAlert({
      alertname: 'KubePodEvicted',
      cluster: 'c1',
      severity: 'warning',
      namespace: 'ns',
      pod: 'p',
      node: 'n',
      reason: 'memory-pressure',
      ownerAnnotations: { 'firstmate.io/owner': 'team-a', 'firstmate.io/channel': '#ops' },
      summary: 's',
      description: 'd',
      startsAt: 0,
    });
    expect(a.source).toBe('kubernetes');
    expect(a.labels).toMatchObject({ owner: 'team-a', channel: '#ops', cluster: 'c1', severity: 'warning' });
    expect(a.fingerprint).toBe(fingerprintOf(a.labels));
    expect(a.subject).toMatchObject({ namespace: 'ns', pod: 'p', node: 'n', cluster: 'c1' });
  });
});

describe('helpers', () => {
  it('backoff is capped, exponential and jittered', () => {
    const b = { baseMs: 100, maxMs: 1000 };
    expect(backoffDelay(0, b, () => 1)).toBe(100);
    expect(backoffDelay(3, b, () => 1)).toBe(800);
    expect(backoffDelay(10, b, () => 1)).toBe(1000);
    expect(backoffDelay(10, b, () => 0)).toBe(500);
  });
  it('MultiIndex keeps single values cheap and handles several', () => {
    const m = new MultiIndex<string>();
    m.add('k', 'a');
    m.add('k', 'b');
    expect(m.get('k').sort()).toEqual(['a', 'b']);
    m.delete('k', 'a');
    expect(m.get('k')).toEqual(['b']);
    m.delete('k', 'b');
    expect(m.count('k')).toBe(0);
    expect(m.size).toBe(0);
  });
});
