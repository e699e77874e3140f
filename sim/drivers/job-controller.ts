/**
 * Job controller (batch/v1): runs up to `parallelism` pods (default 1) named `<job>-<random>` until
 * `completions` (default 1) have succeeded, then marks the Job Complete (conditions
 * SuccessCriteriaMet and Complete). Each failed pod counts; once more pods failed than
 * `backoffLimit` (default 6) the Job gets FailureTarget and Failed with reason
 * BackoffLimitExceeded and its running pods are deleted. Pods succeed or fail when their
 * containers exit (`Drivers.finishPod`); restartPolicy OnFailure is treated like Never (a failed
 * pod is replaced, not restarted). Finished pods are kept, like the real controller does for logs.
 * Input: `ns/name`. Output: pods and Job status. Idempotent: no writes when nothing changed.
 */
import type { Clock } from '../clock.ts';
import { terminatePod } from '../deletion.ts';
import type { Store } from '../store.ts';
import type { Condition, KubeObject, Pod, PodTemplate, Workload } from '../types.ts';
import type { RecordEvent } from './events.ts';
import type { PodIndexes } from './indexes.ts';
import { isActive, isReady, podFromTemplate } from './pod-template.ts';

/** A Job as the controller reads it. */
export interface Job extends KubeObject {
  spec: { parallelism?: number; completions?: number; backoffLimit?: number; suspend?: boolean; template: PodTemplate };
  status?: {
    active?: number;
    succeeded?: number;
    failed?: number;
    ready?: number;
    startTime?: string;
    completionTime?: string;
    conditions?: Condition[];
  };
}

const finished = (job: Job): boolean =>
  job.status?.conditions?.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') ?? false;

function conditions(types: string[], reason: string, message: string, ts: string): Condition[] {
  return types.map((type) => ({ type, status: 'True', reason, message, lastProbeTime: ts, lastTransitionTime: ts }));
}

export function createJobController(store: Store, indexes: PodIndexes, record: RecordEvent, clock: Clock) {
  const ownedPods = (job: Job): Pod[] =>
    indexes
      .ownedBy(job.metadata.uid!)
      .map((k) => store.peek('pods', job.metadata.namespace, k.slice(k.indexOf('/') + 1)) as Pod | undefined)
      .filter((p): p is Pod => p !== undefined);
  const event = (job: Job, reason: string, message: string, type: 'Normal' | 'Warning' = 'Normal'): void => {
    record({ involved: job, reason, message, type, component: 'job-controller' });
  };

  return {
    reconcile(namespace: string, name: string): void {
      const job = store.peek('jobs', namespace, name) as Job | undefined;
      if (!job) return;
      const pods = ownedPods(job);
      let active = pods.filter(isActive);
      const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded').length;
      const failed = pods.filter((p) => p.status?.phase === 'Failed').length;
      const completions = job.spec.completions ?? 1;
      const parallelism = job.spec.parallelism ?? 1;
      const ts = clock.iso();
      const status: NonNullable<Job['status']> = { ...(job.status ?? {}) };
      if (!status.startTime) status.startTime = ts;
      if (!finished(job)) {
        if (failed > (job.spec.backoffLimit ?? 6)) {
          status.conditions = conditions(
            ['FailureTarget', 'Failed'],
            'BackoffLimitExceeded',
            'Job has reached the specified backoff limit',
            ts,
          );
          for (const pod of active) terminatePod(store, pod);
          active = [];
          event(job, 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', 'Warning');
        } else if (succeeded >= completions) {
          status.conditions = conditions(
            ['SuccessCriteriaMet', 'Complete'],
            'CompletionsReached',
            'Reached expected number of succeeded pods',
            ts,
          );
          status.completionTime = ts;
          event(job, 'Completed', 'Job completed');
        } else if (!job.spec.suspend) {
          const wanted = Math.min(parallelism, completions - succeeded);
          for (let i = active.length; i < wanted; i++) {
            const labels = {
              'batch.kubernetes.io/controller-uid': job.metadata.uid!,
              'batch.kubernetes.io/job-name': name,
              'controller-uid': job.metadata.uid!,
              'job-name': name,
            };
            const pod = store.create('pods', podFromTemplate(job as unknown as Workload, { generateName: `${name}-`, labels }));
            active.push(pod as Pod);
            event(job, 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
          }
        }
      }
      status.active = active.filter((p) => !p.metadata.deletionTimestamp).length;
      status.succeeded = succeeded;
      status.failed = failed;
      status.ready = active.filter(isReady).length;
      if (JSON.stringify(status) === JSON.stringify(job.status)) return;
      store.mutate(
        'jobs',
        namespace,
        name,
        (o) => {
          o.status = status;
        },
        'status',
      );
    },
  };
}
