import { describe, expect, it } from 'vitest';
import { parseKubernetesEvents } from '../../../../alerts/sources/kubernetes.ts';
import type { IntakeResult } from '../../../../alerts/sources/types.ts';
import { fixture, fixtureJson, intakeRequest } from './intake-request.ts';

function ok(result: IntakeResult) {
  if (!result.ok) throw new Error(`expected ok, got ${result.status} ${result.error} ${JSON.stringify(result.details)}`);
  return result;
}

type Ev = Record<string, unknown> & { involvedObject: Record<string, unknown> };
const list = () => fixtureJson<{ items: Ev[] }>('kubernetes-event-list.json');

describe('Kubernetes events', () => {
  it('maps an EventList: eviction, OOM kill, node not ready, crash loop; drops normal noise', async () => {
    const { alerts } = ok(await parseKubernetesEvents(intakeRequest(fixture('kubernetes-event-list.json')), { cluster: 'prod-sh-1' }));
    expect(alerts.map((a) => a.labels.alertname)).toEqual([
      'KubePodEvicted',
      'KubeContainerOOMKilled',
      'KubeNodeNotReady',
      'KubePodCrashLooping',
    ]);
    const [evicted, oom, notReady, backoff] = alerts;
    expect(evicted).toMatchObject({
      source: 'kubernetes',
      status: 'firing',
      severity: 'warning',
      labels: { reason: 'Evicted', resource: 'memory', namespace: 'db', pod: 'mysql-0', node: 'node-7', kind: 'Pod', cluster: 'prod-sh-1' },
      subject: { cluster: 'prod-sh-1', namespace: 'db', pod: 'mysql-0', node: 'node-7' },
      startsAt: '2026-11-26T21:00:01.000Z',
    });
    expect(evicted?.annotations.description).toMatch(/^The node was low on resource: memory\./);
    expect(evicted?.endsAt).toBe('2026-11-26T22:00:01.000Z');
    expect(backoff?.endsAt).toBe('2026-11-26T22:01:30.000Z');
    expect(oom).toMatchObject({
      labels: { process: 'mysqld', node: 'node-7', kind: 'Node', component: 'kernel-monitor' },
      annotations: { pid: '48213' },
      subject: { node: 'node-7' },
    });
    expect(notReady).toMatchObject({ severity: 'critical', subject: { node: 'node-9' } });
    expect(notReady?.endsAt).toBeUndefined();
    const short = ok(await parseKubernetesEvents(intakeRequest(fixture('kubernetes-event-list.json')), { kubernetesEventTtlSeconds: 60 }))
      .alerts[0];
    expect(short?.endsAt).toBe('2026-11-26T21:01:01.000Z');
    expect(backoff).toMatchObject({
      labels: { container: 'web', pod: 'web-5d9f7c8b6-abcde', node: 'node-3' },
      annotations: { count: '42', last_seen: '2026-11-26T21:01:30.000Z' },
    });
  });

  it('gives one incident one fingerprint: repeats merge, NodeReady resolves NodeNotReady', async () => {
    const items = list().items;
    const evicted = items[0] as Ev;
    const again = {
      ...evicted,
      metadata: { name: 'other', uid: 'other-uid' },
      firstTimestamp: '2026-11-26T21:05:00Z',
      message: 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 1Ki.',
    };
    const [a, b] = ok(await parseKubernetesEvents(intakeRequest([evicted, again]), {})).alerts;
    expect(a?.fingerprint).toBe(b?.fingerprint);
    const ready = {
      ...(items[2] as Ev),
      reason: 'NodeReady',
      message: 'Node node-9 status is now: NodeReady',
      lastTimestamp: '2026-11-26T21:08:00Z',
    };
    const [down, up] = ok(await parseKubernetesEvents(intakeRequest([items[2], ready]), {})).alerts;
    expect(up).toMatchObject({
      status: 'resolved',
      endsAt: '2026-11-26T21:08:00.000Z',
      labels: { alertname: 'KubeNodeNotReady', reason: 'NodeReady' },
    });
    expect(up?.fingerprint).toBe(down?.fingerprint);
  });

  it('reads events.k8s.io/v1 events (liveness kill) and a bare array', async () => {
    const v1 = fixtureJson('kubernetes-event-v1.json');
    const [alert] = ok(await parseKubernetesEvents(intakeRequest(v1), {})).alerts;
    expect(alert).toMatchObject({
      labels: { alertname: 'KubeContainerKilledByProbe', container: 'mysql', node: 'node-4' },
      annotations: { count: '3', last_seen: '2026-11-26T21:03:10.000Z' },
      subject: { namespace: 'db', pod: 'mysql-1', node: 'node-4' },
    });
    const plainKill = { ...v1, note: 'Stopping container mysql' };
    expect(ok(await parseKubernetesEvents(intakeRequest([plainKill]), {})).alerts).toEqual([]);
  });

  it('maps taint evictions, preemption and unknown warnings', async () => {
    const pod = { kind: 'Pod', namespace: 'db', name: 'mysql-2' };
    const events = [
      {
        involvedObject: pod,
        reason: 'TaintManagerEviction',
        message: 'Marking for deletion Pod db/mysql-2',
        type: 'Normal',
        source: { component: 'taint-eviction-controller' },
      },
      {
        involvedObject: pod,
        reason: 'TaintManagerEviction',
        message: 'Cancelling deletion of Pod db/mysql-2',
        type: 'Normal',
        source: { component: 'taint-eviction-controller' },
      },
      {
        involvedObject: pod,
        reason: 'Preempted',
        message: 'Preempted by pod 1f2e on node node-2',
        type: 'Normal',
        source: { component: 'default-scheduler' },
      },
      {
        involvedObject: { kind: 'Service', namespace: 'db', name: 'mysql' },
        reason: 'FailedToUpdateEndpoint',
        message: 'x',
        type: 'Warning',
      },
      { involvedObject: pod, reason: 'Scheduled', message: 'Successfully assigned db/mysql-2 to node-2', type: 'Normal' },
    ];
    const alerts = ok(await parseKubernetesEvents(intakeRequest({ kind: 'List', items: events }), {})).alerts;
    expect(alerts.map((a) => [a.labels.alertname, a.status, a.severity])).toEqual([
      ['KubePodTaintEviction', 'firing', 'warning'],
      ['KubePodTaintEviction', 'resolved', 'info'],
      ['KubePodPreempted', 'firing', 'warning'],
      ['KubeWarningEvent', 'firing', 'info'],
    ]);
    expect(alerts[0]?.fingerprint).toBe(alerts[1]?.fingerprint);
  });

  it('rejects events without an object or reason, with the item path', async () => {
    const items = list().items;
    delete (items[3] as Ev).reason;
    (items[1] as Ev).involvedObject = { kind: 'Node' };
    const result = await parseKubernetesEvents(intakeRequest({ kind: 'EventList', items }), {});
    expect(result).toMatchObject({ ok: false, status: 400, details: [{ path: 'items[1].involvedObject.name' }] });
    const arr = await parseKubernetesEvents(intakeRequest([{ involvedObject: { kind: 'Pod', name: 'x' } }]), {});
    expect(arr).toMatchObject({ ok: false, details: [{ path: '[0].reason' }] });
    expect(await parseKubernetesEvents(intakeRequest('"just a string"'), {})).toMatchObject({ ok: false, status: 400 });
  });
});
