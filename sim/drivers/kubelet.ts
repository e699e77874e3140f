/**
 * What the kubelet (and the node-problem-detector next to it) would write: pod start after
 * binding, container OOM kills with restarts, and node-pressure evictions, each with the status
 * shapes and Events the real components produce.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Random } from '../random.ts';
import type { Store } from '../store.ts';
import type { Condition, ContainerStatus, Node, Pod } from '../types.ts';
import type { RecordEvent } from './events.ts';
import { quantityExact } from '../../kube/quantity.ts';

/** Guaranteed, Burstable or BestEffort, from the containers' requests and limits. */
export function qosClassOf(pod: Pod): string {
  const cs = pod.spec.containers;
  const any = cs.some((c) => Object.keys(c.resources?.requests ?? {}).length || Object.keys(c.resources?.limits ?? {}).length);
  if (!any) return 'BestEffort';
  const guaranteed = cs.every((c) => {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    return ['cpu', 'memory'].every(
      (r) => lim[r] !== undefined && (req[r] === undefined || quantityExact(req[r]) === quantityExact(lim[r])),
    );
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function setCondition(conditions: Condition[], next: Condition): void {
  const i = conditions.findIndex((c) => c.type === next.type);
  if (i < 0) conditions.push(next);
  else if (conditions[i]!.status !== next.status || conditions[i]!.reason !== next.reason) conditions[i] = next;
}

const imageIds = new Map<string, string>();

function imageIdOf(image: string): string {
  let id = imageIds.get(image);
  if (id === undefined) {
    id = `${image.split(':')[0]}@sha256:${createHash('sha256').update(image).digest('hex')}`;
    imageIds.set(image, id);
  }
  return id;
}

/** The status of a pod whose containers all started at `ts`. */
export function runningPodStatus(
  pod: Pod,
  hostIP: string,
  podIP: string,
  ts: string,
  containerId: () => string,
): NonNullable<Pod['status']> {
  const conditions: Condition[] = [];
  for (const type of ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']) {
    conditions.push({ type, status: 'True', lastProbeTime: null, lastTransitionTime: ts });
  }
  return {
    phase: 'Running',
    conditions,
    hostIP,
    hostIPs: [{ ip: hostIP }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: ts,
    qosClass: qosClassOf(pod),
    containerStatuses: pod.spec.containers.map((c): ContainerStatus => ({
      name: c.name,
      image: c.image ?? '',
      imageID: imageIdOf(c.image ?? ''),
      containerID: containerId(),
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: ts } },
      lastState: {},
    })),
  };
}

export function internalIpOf(node: Node): string | undefined {
  return node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}

export interface Kubelet {
  /** Marks a freshly bound pod Running on `node` with `podIP`. */
  startPod(namespace: string, name: string, node: Node, podIP: string): void;
  oomKill(namespace: string, name: string, container?: string): Pod;
  evictForMemoryPressure(namespace: string, name: string): Pod;
  setMemoryPressure(node: string, pressure: boolean): Node;
}

export function createKubelet(store: Store, record: RecordEvent, random: Random, clock: Clock): Kubelet {
  const containerId = (): string => `containerd://${random.hex(64)}`;
  return {
    startPod(namespace, name, node, podIP) {
      const ts = clock.iso();
      const hostIP = internalIpOf(node) ?? '';
      const pod = store.mutate(
        'pods',
        namespace,
        name,
        (o) => {
          const p = o as Pod;
          p.status = runningPodStatus(p, hostIP, podIP, ts, containerId);
        },
        'status',
      ) as Pod;
      for (const c of pod.spec.containers) {
        record({
          involved: pod,
          reason: 'Started',
          message: `Started container ${c.name}`,
          type: 'Normal',
          component: 'kubelet',
          host: node.metadata.name,
          fieldPath: `spec.containers{${c.name}}`,
        });
      }
    },
    oomKill(namespace, name, container) {
      const current = store.read('pods', namespace, name) as Pod;
      const target = container ?? current.spec.containers[0]?.name;
      const spec = current.spec.containers.find((c) => c.name === target);
      const node = current.spec.nodeName;
      if (!spec || !node) throw new Error(`pod ${namespace}/${name} has no running container ${String(target)}`);
      const ts = clock.iso();
      const pod = store.mutate(
        'pods',
        namespace,
        name,
        (o) => {
          const status = (o as Pod).status!;
          const cs = status.containerStatuses?.find((c) => c.name === target);
          if (!cs) throw new Error(`pod ${namespace}/${name} has no status for container ${String(target)}`);
          cs.lastState = {
            terminated: {
              exitCode: 137,
              reason: 'OOMKilled',
              startedAt: cs.state.running?.startedAt ?? ts,
              finishedAt: ts,
              containerID: cs.containerID,
            },
          };
          cs.state = { running: { startedAt: ts } };
          cs.containerID = containerId();
          cs.restartCount += 1;
          cs.ready = true;
        },
        'status',
      ) as Pod;
      const limit = quantityExact(spec.resources?.limits?.memory) || 512 * 1024 ** 2;
      const pid = 1000 + random.int(60_000);
      const process = (spec.image ?? spec.name).split('/').pop()!.split(':')[0]!.slice(0, 15);
      const nodeObj = store.read('nodes', undefined, node);
      record({
        involved: nodeObj,
        involvedUid: node,
        reason: 'OOMKilling',
        message: `Memory cgroup out of memory: Killed process ${pid} (${process}) total-vm:${Math.round((limit * 1.6) / 1024)}kB, anon-rss:${Math.round(limit / 1024)}kB, file-rss:${1024 + random.int(30_000)}kB, shmem-rss:0kB, UID:0 pgtables:${Math.round(limit / 1024 / 500)}kB oom_score_adj:${qosClassOf(pod) === 'Guaranteed' ? -997 : 999}`,
        type: 'Warning',
        component: 'kernel-monitor',
        host: node,
      });
      return pod;
    },
    evictForMemoryPressure(namespace, name) {
      const current = store.read('pods', namespace, name) as Pod;
      const node = current.spec.nodeName;
      if (!node) throw new Error(`pod ${namespace}/${name} is not bound to a node`);
      const ts = clock.iso();
      const first = current.spec.containers[0];
      const request = first?.resources?.requests?.memory ?? '0';
      const usedKi = Math.round(((quantityExact(request) || 256 * 1024 ** 2) * 1.8) / 1024);
      const message = `The node was low on resource: memory. Threshold quantity: 100Mi, available: ${80_000 + random.int(20_000)}Ki. Container ${first?.name ?? 'app'} was using ${usedKi}Ki, request is ${request}, has larger consumption of memory. `;
      const pod = store.mutate(
        'pods',
        namespace,
        name,
        (o) => {
          const p = o as Pod;
          const status = p.status ?? {};
          status.phase = 'Failed';
          status.reason = 'Evicted';
          status.message = message;
          const conditions = status.conditions ?? [];
          setCondition(conditions, {
            type: 'DisruptionTarget',
            status: 'True',
            reason: 'TerminationByKubelet',
            message: 'The node was low on resource: memory. ',
            lastProbeTime: null,
            lastTransitionTime: ts,
          });
          for (const type of ['Ready', 'ContainersReady'])
            setCondition(conditions, { type, status: 'False', reason: 'PodFailed', lastProbeTime: null, lastTransitionTime: ts });
          status.conditions = conditions;
          for (const cs of status.containerStatuses ?? []) {
            cs.state = {
              terminated: {
                exitCode: 137,
                reason: 'ContainerStatusUnknown',
                message: 'The container could not be located when the pod was terminated',
                startedAt: cs.state.running?.startedAt,
                finishedAt: ts,
              },
            };
            cs.ready = false;
            cs.started = false;
          }
          p.status = status;
        },
        'status',
      ) as Pod;
      record({ involved: pod, reason: 'Evicted', message, type: 'Warning', component: 'kubelet', host: node });
      return pod;
    },
    setMemoryPressure(name, pressure) {
      const ts = clock.iso();
      const node = store.mutate(
        'nodes',
        undefined,
        name,
        (o) => {
          const n = o as Node;
          n.status = n.status ?? {};
          const conditions = n.status.conditions ?? [];
          setCondition(
            conditions,
            pressure
              ? {
                  type: 'MemoryPressure',
                  status: 'True',
                  reason: 'KubeletHasInsufficientMemory',
                  message: 'kubelet has insufficient memory available',
                  lastHeartbeatTime: ts,
                  lastTransitionTime: ts,
                }
              : {
                  type: 'MemoryPressure',
                  status: 'False',
                  reason: 'KubeletHasSufficientMemory',
                  message: 'kubelet has sufficient memory available',
                  lastHeartbeatTime: ts,
                  lastTransitionTime: ts,
                },
          );
          n.status.conditions = conditions;
        },
        'status',
      ) as Node;
      store.mutate('nodes', undefined, name, (o) => {
        const n = o as Node;
        n.spec = n.spec ?? {};
        const taints = (n.spec.taints ?? []).filter((t) => t.key !== 'node.kubernetes.io/memory-pressure');
        if (pressure) taints.push({ key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule', timeAdded: ts });
        if (taints.length) n.spec.taints = taints;
        else delete n.spec.taints;
      });
      if (pressure) {
        record({
          involved: node,
          involvedUid: name,
          reason: 'EvictionThresholdMet',
          message: 'Attempting to reclaim memory',
          type: 'Warning',
          component: 'kubelet',
          host: name,
        });
      }
      record({
        involved: node,
        involvedUid: name,
        reason: pressure ? 'NodeHasInsufficientMemory' : 'NodeHasSufficientMemory',
        message: `Node ${name} status is now: ${pressure ? 'NodeHasInsufficientMemory' : 'NodeHasSufficientMemory'}`,
        type: 'Normal',
        component: 'kubelet',
        host: name,
      });
      return node;
    },
  };
}
