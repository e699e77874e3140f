import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../alerts/model.ts';
import { buildDeployment, isoAgo } from '../../../sim/cluster-builders.ts';
import type { KubeObject, Node, Pod } from '../../../sim/types.ts';
import { RecordingSink, idle, startHarness, waitFor } from './harness.ts';
import type { Harness } from './harness.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const podsOf = (ns: string, prefix: string) =>
  [...h.sim.store.scan('pods')].filter((p) => p.metadata.namespace === ns && p.metadata.name!.startsWith(prefix)) as Pod[];
const firing = (name: string) => h.sink.named(name).filter((a) => a.status === 'firing');
const one = async (name: string): Promise<Alert> => (await waitFor(() => h.sink.some(name), name))[0]!;

describe('everyday failures of the watched cluster', () => {
  it('crash loop: one notice per workload with the last termination and the previous log; none again after a restart; resolves', async () => {
    h = await startHarness();
    const kube = await h.startKube();
    await idle(kube);
    h.sim.drivers.failures.crashLoop('shop', 'db-0', { exitCode: 2, log: 'boot\npanic: config missing\n' });
    h.sim.drivers.failures.crashLoop('shop', 'db-1');
    const a = await one('KubePodCrashLooping');
    await idle(kube, 300);
    expect(firing('KubePodCrashLooping')).toHaveLength(1);
    expect(a.labels).toMatchObject({ namespace: 'shop', workload: 'StatefulSet/db', reason: 'CrashLoopBackOff', owner: 'team-db' });
    expect(a.labels.pod).toBeUndefined();
    expect(a.annotations.last_termination).toBe('Error (exit 2)');
    expect(a.annotations.previous_log).toContain('panic: config missing');
    expect(a.annotations.description).toContain('Previous container log');

    await kube.stop();
    h.runtimes.length = 0;
    const again = new RecordingSink();
    const kube2 = await h.startKube({}, again);
    await idle(kube2, 300);
    expect(again.named('KubePodCrashLooping')).toEqual([]);

    for (const p of ['db-0', 'db-1']) h.sim.store.delete('pods', 'shop', p);
    await waitFor(() => again.named('KubePodCrashLooping').find((x) => x.status === 'resolved'), 'crash loop resolved');
    expect(again.named('KubePodCrashLooping')[0]!.fingerprint).toBe(a.fingerprint);
  });

  it('image pull, unschedulable, volume, probe failures over the threshold, failed Job, stuck rollout; ignored namespaces stay quiet', async () => {
    h = await startHarness();
    const kube = await h.startKube({ notices: { probeFailureThreshold: 3, eventTtlSeconds: 300, ignoreNamespaces: ['default'] } });
    await idle(kube);
    const front = podsOf('web', 'front-');
    h.sim.drivers.failures.imagePullBackOff('web', front[0]!.metadata.name!);
    h.sim.drivers.failures.probeFailure('web', front[1]!.metadata.name!, { times: 2 });
    h.sim.drivers.failures.mountFailure('shop', 'db-2');
    const created = isoAgo(Date.now(), 1000);
    h.sim.store.create(
      'deployments',
      buildDeployment({ namespace: 'web', name: 'huge', replicas: 1, image: 'x:1', cpu: '500', memory: '1Gi', createdAt: created }),
    );
    h.sim.store.create(
      'deployments',
      buildDeployment({ namespace: 'default', name: 'huge', replicas: 1, image: 'x:1', cpu: '500', memory: '1Gi', createdAt: created }),
    );

    const pull = await one('KubePodImagePullBackOff');
    expect(pull.labels).toMatchObject({ workload: 'Deployment/front', reason: 'ImagePullBackOff' });
    expect(pull.annotations.message).toContain('Failed to pull image');
    const pending = await one('KubePodUnschedulable');
    expect(pending.labels).toMatchObject({ namespace: 'web', workload: 'Deployment/huge', reason: 'FailedScheduling' });
    const mount = await one('KubePodVolumeFailed');
    expect(mount.labels).toMatchObject({ workload: 'StatefulSet/db', reason: 'FailedMount' });
    await idle(kube, 300);
    expect(h.sink.named('KubeContainerProbeFailed')).toEqual([]);
    h.sim.drivers.failures.probeFailure('web', front[1]!.metadata.name!, { times: 1 });
    const probe = await one('KubeContainerProbeFailed');
    expect(probe.labels).toMatchObject({ workload: 'Deployment/front', reason: 'readiness' });
    expect(probe.annotations.message).toContain('(3 times)');

    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate', namespace: 'shop' },
      spec: {
        backoffLimit: 0,
        template: { metadata: {}, spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'migrate:1' }] } },
      },
    };
    h.sim.store.create('jobs', job);
    const jobPod = await waitFor(() => podsOf('shop', 'migrate-').find((p) => p.status?.phase === 'Running'), 'job pod running');
    h.sim.drivers.finishPod('shop', jobPod.metadata.name!, 1);
    const failed = await one('KubeJobFailed');
    expect(failed.labels).toMatchObject({ namespace: 'shop', workload: 'Job/migrate', reason: 'BackoffLimitExceeded' });
    expect(Date.parse(failed.endsAt!)).toBeGreaterThan(Date.now() + 250_000);

    h.sim.store.mutate(
      'deployments',
      'web',
      'front',
      (o) => {
        const status = o.status as { conditions?: unknown[] };
        status.conditions = [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'ReplicaSet "front-abc" has timed out progressing.',
            lastTransitionTime: new Date().toISOString(),
          },
        ];
      },
      'status',
    );
    const stuck = await one('KubeRolloutStuck');
    expect(stuck.labels).toMatchObject({ workload: 'Deployment/front', reason: 'ProgressDeadlineExceeded' });

    await idle(kube, 300);
    expect(h.sink.alerts.filter((a) => a.labels.namespace === 'default')).toEqual([]);
    for (const name of [
      'KubePodImagePullBackOff',
      'KubePodUnschedulable',
      'KubePodVolumeFailed',
      'KubeContainerProbeFailed',
      'KubeJobFailed',
      'KubeRolloutStuck',
    ])
      expect(firing(name), name).toHaveLength(1);
  });

  it('NetworkUnavailable and node-problem-detector conditions fire and resolve once', async () => {
    h = await startHarness();
    const kube = await h.startKube();
    await idle(kube);
    const set = (extra: Array<{ type: string; status: string; reason: string }>) =>
      h.sim.store.mutate(
        'nodes',
        undefined,
        'node-2',
        (o) => {
          const n = o as Node;
          const ts = new Date().toISOString();
          n.status!.conditions = [
            ...n.status!.conditions!.filter((c) => c.type !== 'NetworkUnavailable' && c.type !== 'KernelDeadlock'),
            ...extra.map((c) => ({ ...c, message: `${c.reason} on node-2`, lastHeartbeatTime: ts, lastTransitionTime: ts })),
          ];
        },
        'status',
      );
    set([
      { type: 'NetworkUnavailable', status: 'True', reason: 'NoRouteCreated' },
      { type: 'KernelDeadlock', status: 'True', reason: 'DockerHung' },
    ]);
    const net = await one('KubeNodeNetworkUnavailable');
    expect(net.labels).toMatchObject({ node: 'node-2', reason: 'NetworkUnavailable', severity: 'critical' });
    const npd = await one('KubeNodeProblem');
    expect(npd.labels).toMatchObject({ node: 'node-2', reason: 'KernelDeadlock' });
    set([{ type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated' }]);
    await waitFor(() => h.sink.named('KubeNodeProblem').find((a) => a.status === 'resolved'), 'node problem resolved');
    await waitFor(() => h.sink.named('KubeNodeNetworkUnavailable').find((a) => a.status === 'resolved'), 'network resolved');
    await idle(kube, 300);
    expect(h.sink.named('KubeNodeProblem').map((a) => a.status)).toEqual(['firing', 'resolved']);
    expect(h.sink.named('KubeNodeNetworkUnavailable').map((a) => a.status)).toEqual(['firing', 'resolved']);
  });
});
