/**
 * The everyday pod failures as the kubelet reports them, for tests and the demo: a container in
 * CrashLoopBackOff (lastState terminated with the exit code, the previous instance's log kept
 * for `pods/log?previous=true`, `BackOff` event), an image that cannot be pulled
 * (ImagePullBackOff, `Failed` and `BackOff` events), probe failures (`Unhealthy` events counted
 * up, the pod not Ready for a readiness probe) and a volume that cannot be mounted
 * (`FailedMount`, the pod left ContainerCreating).
 */
import type { Clock } from '../clock.ts';
import { PREVIOUS_LOG_ANNOTATION } from '../pod-log.ts';
import type { Store } from '../store.ts';
import type { KubeObject, Pod } from '../types.ts';
import type { RecordEvent } from './events.ts';

export interface PodFailures {
  crashLoop(namespace: string, pod: string, opts?: { exitCode?: number; reason?: string; log?: string }): Pod;
  imagePullBackOff(namespace: string, pod: string, image?: string): Pod;
  probeFailure(namespace: string, pod: string, opts?: { probe?: 'Readiness' | 'Liveness'; times?: number }): Pod;
  mountFailure(namespace: string, pod: string, volume?: string): Pod;
}

export function createPodFailures(store: Store, record: RecordEvent, clock: Clock): PodFailures {
  const first = (p: Pod) => p.spec.containers[0]!.name;
  const status = (ns: string, name: string, change: (p: Pod, ts: string) => void): Pod => {
    const ts = clock.iso();
    return store.mutate('pods', ns, name, (o) => change(o as Pod, ts), 'status') as Pod;
  };
  const notReady = (p: Pod, ts: string) => {
    for (const c of p.status?.conditions ?? [])
      if ((c.type === 'Ready' || c.type === 'ContainersReady') && c.status === 'True')
        Object.assign(c, { status: 'False', lastTransitionTime: ts });
  };
  const event = (involved: KubeObject, reason: string, message: string, container: string) =>
    record({
      involved,
      reason,
      message,
      type: 'Warning',
      component: 'kubelet',
      host: (involved as Pod).spec.nodeName,
      fieldPath: `spec.containers{${container}}`,
    });

  return {
    crashLoop(ns, name, opts = {}) {
      const exitCode = opts.exitCode ?? 1;
      const reason = opts.reason ?? 'Error';
      const current = store.read('pods', ns, name) as Pod;
      const container = first(current);
      store.mutate('pods', ns, name, (o) => {
        const meta = o.metadata;
        meta.annotations = {
          ...meta.annotations,
          [PREVIOUS_LOG_ANNOTATION + container]:
            opts.log ??
            `${clock.iso()} INFO starting ${container}\n${clock.iso()} ERROR cannot connect to the database: connection refused\n${clock.iso()} FATAL exiting\n`,
        };
      });
      const pod = status(ns, name, (p, ts) => {
        const cs = p.status?.containerStatuses?.find((c) => c.name === container);
        if (!cs) throw new Error(`pod ${ns}/${name} has no status for container ${container}`);
        cs.restartCount += 3;
        cs.ready = false;
        cs.started = false;
        cs.lastState = { terminated: { exitCode, reason, startedAt: ts, finishedAt: ts, containerID: cs.containerID } };
        cs.state = {
          waiting: { reason: 'CrashLoopBackOff', message: `back-off 40s restarting failed container=${container} pod=${name}` },
        };
        notReady(p, ts);
      });
      event(pod, 'BackOff', 'Back-off restarting failed container', container);
      return pod;
    },
    imagePullBackOff(ns, name, image) {
      const current = store.read('pods', ns, name) as Pod;
      const container = first(current);
      const ref = image ?? `${current.spec.containers[0]!.image}-missing`;
      // The kubelet reports the failed pull before the container's state turns ImagePullBackOff.
      event(
        current,
        'Failed',
        `Failed to pull image "${ref}": rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": not found`,
        container,
      );
      const pod = status(ns, name, (p, ts) => {
        const cs = p.status?.containerStatuses?.find((c) => c.name === container);
        if (!cs) throw new Error(`pod ${ns}/${name} has no status for container ${container}`);
        cs.ready = false;
        cs.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${ref}"` } };
        notReady(p, ts);
      });
      event(pod, 'BackOff', `Back-off pulling image "${ref}"`, container);
      return pod;
    },
    probeFailure(ns, name, opts = {}) {
      const probe = opts.probe ?? 'Readiness';
      const current = store.read('pods', ns, name) as Pod;
      const pod = probe === 'Readiness' ? status(ns, name, (p, ts) => notReady(p, ts)) : current;
      const container = first(current);
      for (let i = 0; i < (opts.times ?? 1); i++)
        event(pod, 'Unhealthy', `${probe} probe failed: HTTP probe failed with statuscode: 503`, container);
      return pod;
    },
    mountFailure(ns, name, volume = 'data') {
      const pod = status(ns, name, (p, ts) => {
        p.status = { ...p.status, phase: 'Pending' };
        for (const cs of p.status.containerStatuses ?? []) {
          cs.ready = false;
          cs.state = { waiting: { reason: 'ContainerCreating' } };
        }
        notReady(p, ts);
      });
      record({
        involved: pod,
        reason: 'FailedMount',
        message: `MountVolume.SetUp failed for volume "${volume}" : rpc error: code = Internal desc = mount failed: exit status 32`,
        type: 'Warning',
        component: 'kubelet',
        host: pod.spec.nodeName,
      });
      return pod;
    },
  };
}
