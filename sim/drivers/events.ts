/**
 * Writes core/v1 Events through the store, shaped like the ones the real components record
 * (involvedObject, reason, message, source, first/last timestamps, count), and aggregates repeats
 * of the same event into one object with a growing `count` like the client-go event correlator.
 */
import type { Clock } from '../clock.ts';
import type { Store } from '../store.ts';
import type { KubeObject } from '../types.ts';

/** What to record. */
export interface EventInput {
  involved: KubeObject;
  reason: string;
  message: string;
  type: 'Normal' | 'Warning';
  /** `source.component`, e.g. `kubelet`, `default-scheduler`, `kernel-monitor`. */
  component: string;
  /** `source.host`: the node, for node-local components. */
  host?: string;
  fieldPath?: string;
  /** `involvedObject.uid` override: kubelet and node-problem-detector use the node name for nodes. */
  involvedUid?: string;
}

/** Records an event; returns it, or undefined while recording is muted. */
export type RecordEvent = (input: EventInput) => KubeObject | undefined;

export function createEventRecorder(store: Store, clock: Clock): (input: EventInput) => KubeObject {
  const seen = new Map<string, { namespace: string; name: string }>();
  let seq = 0;
  return (input) => {
    const inv = input.involved;
    const namespace = inv.metadata.namespace || 'default';
    const key = [
      inv.kind,
      namespace,
      inv.metadata.name,
      inv.metadata.uid,
      input.reason,
      input.message,
      input.component,
      input.host ?? '',
    ].join('\u0000');
    const ts = clock.iso();
    const prior = seen.get(key);
    if (prior && store.get('events', prior.namespace, prior.name)) {
      return store.mutate('events', prior.namespace, prior.name, (e) => {
        e.count = ((e.count as number | undefined) ?? 1) + 1;
        e.lastTimestamp = ts;
      });
    }
    const stamp = (BigInt(clock.now()) * 1_000_000n + BigInt(seq++ % 1_000_000)).toString(16);
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${inv.metadata.name}.${stamp}`, namespace },
      involvedObject: {
        kind: inv.kind,
        namespace: inv.metadata.namespace,
        name: inv.metadata.name,
        uid: input.involvedUid ?? inv.metadata.uid,
        apiVersion: inv.apiVersion,
        resourceVersion: inv.metadata.resourceVersion,
        ...(input.fieldPath ? { fieldPath: input.fieldPath } : {}),
      },
      reason: input.reason,
      message: input.message,
      source: input.host ? { component: input.component, host: input.host } : { component: input.component },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type: input.type,
      eventTime: null,
      reportingComponent: input.component,
      reportingInstance: input.host ?? '',
    };
    const created = store.create('events', event);
    seen.set(key, { namespace, name: created.metadata.name! });
    if (seen.size > 10_000) seen.delete(seen.keys().next().value!);
    return created;
  };
}
