/**
 * What `GET /api/v1/namespaces/{ns}/pods/{name}/log` answers in the simulated cluster: the log a
 * scenario left for the container (`sim.firstmate.io/log.<container>`, or
 * `sim.firstmate.io/previous-log.<container>` with `previous=true`), else a few start-up lines
 * made up from the pod. Honours `container`, `previous`, `tailLines` and `limitBytes`; asking for
 * the previous instance of a container that never restarted is a 400, as in Kubernetes.
 */
import { badRequest } from './status.ts';
import type { Pod } from './types.ts';

export const LOG_ANNOTATION = 'sim.firstmate.io/log.';
export const PREVIOUS_LOG_ANNOTATION = 'sim.firstmate.io/previous-log.';

export function podLogText(pod: Pod, query: URLSearchParams): string {
  const name = pod.metadata.name!;
  const containers = pod.spec.containers.map((c) => c.name);
  const container = query.get('container') ?? (containers.length === 1 ? containers[0] : undefined);
  if (!container) throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
  if (!containers.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  const previous = query.get('previous') === 'true';
  const status = pod.status?.containerStatuses?.find((c) => c.name === container);
  const ann = pod.metadata.annotations ?? {};
  let text: string;
  if (previous) {
    if (!status?.lastState?.terminated) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    text =
      ann[PREVIOUS_LOG_ANNOTATION + container] ??
      `${status.lastState.terminated.finishedAt ?? ''} exiting with code ${status.lastState.terminated.exitCode}\n`;
  } else {
    const started = status?.state?.running?.startedAt ?? pod.metadata.creationTimestamp ?? '';
    text = ann[LOG_ANNOTATION + container] ?? `${started} ${container} starting\n${started} ${container} ready\n`;
  }
  const tail = Number(query.get('tailLines') ?? '');
  if (Number.isInteger(tail) && tail >= 0) {
    const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    text = tail === 0 ? '' : `${lines.slice(-tail).join('\n')}\n`;
  }
  const limit = Number(query.get('limitBytes') ?? '');
  if (Number.isInteger(limit) && limit > 0 && Buffer.byteLength(text) > limit) text = Buffer.from(text).subarray(0, limit).toString();
  return text;
}
