/**
 * Containers that run to completion, as the kubelet reports them: every container terminated
 * with the exit code (reason Completed for 0, Error otherwise), the pod Succeeded or Failed and no
 * longer Ready. Used for Job pods (`Drivers.finishPod`).
 */
import type { Clock } from '../clock.ts';
import type { Store } from '../store.ts';
import type { Pod } from '../types.ts';

export function finishPod(store: Store, clock: Clock, namespace: string, name: string, exitCode: number): Pod {
  const ts = clock.iso();
  const reason = exitCode === 0 ? 'Completed' : 'Error';
  return store.mutate(
    'pods',
    namespace,
    name,
    (o) => {
      const p = o as Pod;
      if (!p.spec.nodeName || !p.status?.phase) throw new Error(`pod ${namespace}/${name} has not started`);
      const status = p.status;
      status.phase = exitCode === 0 ? 'Succeeded' : 'Failed';
      for (const c of status.conditions ?? []) {
        if (c.type === 'Ready' || c.type === 'ContainersReady')
          Object.assign(c, { status: 'False', reason: 'PodCompleted', lastTransitionTime: ts });
      }
      for (const cs of status.containerStatuses ?? []) {
        cs.state = {
          terminated: { exitCode, reason, startedAt: cs.state.running?.startedAt ?? ts, finishedAt: ts, containerID: cs.containerID },
        };
        cs.ready = false;
        cs.started = false;
      }
    },
    'status',
  ) as Pod;
}
