/**
 * Which Kubernetes events are alert-worthy and how they are named. A rule maps an event reason
 * (and optionally its message) to an alert name, a severity and a status: counterpart events such
 * as `NodeReady` resolve what `NodeNotReady` fired because both share the alert name. Identity
 * labels pulled from the message (the starved resource, the killed process, the probe) become part
 * of the fingerprint so repeats of one incident merge.
 */
import type { AlertStatus, Severity } from '../model.ts';

export interface KubeEventFacts {
  reason: string;
  message: string;
  type: string;
  kind: string;
}

export interface KubeEventRule {
  reasons: string[];
  alertname: string;
  severity: Severity;
  status?: AlertStatus;
  /** Further condition on the event, e.g. on its message. */
  when?: (facts: KubeEventFacts) => boolean;
  /** Identity labels taken from the message. */
  identity?: (message: string) => Record<string, string>;
  /**
   * A condition that lasts until a counterpart event resolves it (node not ready, pressure, taint
   * eviction). Other events are occurrences: their alert ends a while after the last repeat.
   */
  lasting?: boolean;
}

function capture(re: RegExp, name: string, transform: (s: string) => string = (s) => s) {
  return (message: string): Record<string, string> => {
    const m = re.exec(message);
    return m?.[1] ? { [name]: transform(m[1]) } : {};
  };
}

const starvedResource = (message: string): Record<string, string> => {
  const low = /low on resource: ([\w./-]+?)\.?(?:\s|$)/i.exec(message);
  if (low?.[1]) return { resource: low[1] };
  const condition = /had condition: \[(\w+)\]/i.exec(message);
  return condition?.[1] ? { resource: condition[1] } : {};
};

const killedProcess = capture(/Killed process \d+ \(([^)]{1,128})\)/, 'process');
const victimProcess = capture(/victim process: ([^,\s]{1,128})/i, 'process');
const probeKind = capture(/^(Liveness|Readiness|Startup) probe/i, 'probe', (s) => s.toLowerCase());
const imagePull = (f: KubeEventFacts) => /pull(ing)? image|ErrImagePull|ImagePullBackOff|InvalidImageName/i.test(f.message);

/** First matching rule wins. */
export const kubeEventRules: KubeEventRule[] = [
  { reasons: ['Evicted'], alertname: 'KubePodEvicted', severity: 'warning', identity: starvedResource },
  {
    reasons: ['TaintManagerEviction'],
    alertname: 'KubePodTaintEviction',
    severity: 'info',
    status: 'resolved',
    when: (f) => /^Cancelling deletion/i.test(f.message),
  },
  { reasons: ['TaintManagerEviction'], alertname: 'KubePodTaintEviction', severity: 'warning', lasting: true },
  { reasons: ['Preempted', 'Preempting'], alertname: 'KubePodPreempted', severity: 'warning', when: (f) => f.kind === 'Pod' },
  { reasons: ['NodeNotReady'], alertname: 'KubeNodeNotReady', severity: 'critical', lasting: true },
  { reasons: ['NodeReady'], alertname: 'KubeNodeNotReady', severity: 'info', status: 'resolved' },
  { reasons: ['NodeNotSchedulable'], alertname: 'KubeNodeNotSchedulable', severity: 'info', lasting: true },
  { reasons: ['NodeSchedulable'], alertname: 'KubeNodeNotSchedulable', severity: 'info', status: 'resolved' },
  { reasons: ['NodeHasDiskPressure'], alertname: 'KubeNodeDiskPressure', severity: 'warning', lasting: true },
  { reasons: ['NodeHasNoDiskPressure'], alertname: 'KubeNodeDiskPressure', severity: 'info', status: 'resolved' },
  { reasons: ['NodeHasInsufficientMemory'], alertname: 'KubeNodeMemoryPressure', severity: 'warning', lasting: true },
  { reasons: ['NodeHasSufficientMemory'], alertname: 'KubeNodeMemoryPressure', severity: 'info', status: 'resolved' },
  { reasons: ['NodeHasInsufficientPID'], alertname: 'KubeNodePIDPressure', severity: 'warning', lasting: true },
  { reasons: ['NodeHasSufficientPID'], alertname: 'KubeNodePIDPressure', severity: 'info', status: 'resolved' },
  { reasons: ['EvictionThresholdMet'], alertname: 'KubeNodeEvictionThresholdMet', severity: 'warning' },
  { reasons: ['Rebooted'], alertname: 'KubeNodeRebooted', severity: 'warning' },
  { reasons: ['OOMKilling'], alertname: 'KubeContainerOOMKilled', severity: 'warning', identity: killedProcess },
  { reasons: ['SystemOOM'], alertname: 'KubeNodeSystemOOM', severity: 'warning', identity: victimProcess },
  {
    reasons: ['Killing'],
    alertname: 'KubeContainerKilledByProbe',
    severity: 'warning',
    when: (f) => /failed (liveness|startup) probe/i.test(f.message),
  },
  { reasons: ['Killing'], alertname: 'KubeContainerKilled', severity: 'info', when: (f) => f.type === 'Warning' },
  { reasons: ['BackOff'], alertname: 'KubePodImagePullBackOff', severity: 'warning', when: imagePull },
  { reasons: ['BackOff'], alertname: 'KubePodCrashLooping', severity: 'warning' },
  { reasons: ['Failed', 'ErrImagePull', 'InspectFailed'], alertname: 'KubePodImagePullFailed', severity: 'warning', when: imagePull },
  { reasons: ['Failed'], alertname: 'KubeContainerFailed', severity: 'warning', when: (f) => f.type === 'Warning' },
  { reasons: ['FailedScheduling'], alertname: 'KubePodUnschedulable', severity: 'warning' },
  { reasons: ['Unhealthy'], alertname: 'KubeContainerProbeFailed', severity: 'warning', identity: probeKind },
  { reasons: ['FailedMount', 'FailedAttachVolume', 'FailedMapVolume'], alertname: 'KubePodVolumeFailed', severity: 'warning' },
  { reasons: ['FailedCreatePodSandBox', 'FailedKillPod', 'FailedSync'], alertname: 'KubePodSandboxFailed', severity: 'warning' },
  { reasons: ['FailedCreate', 'FailedDelete'], alertname: 'KubeWorkloadFailedCreate', severity: 'warning' },
];

/** Warning events no rule names still surface, at info severity, one alert per reason and object. */
export const unknownWarningRule: KubeEventRule = { reasons: [], alertname: 'KubeWarningEvent', severity: 'info' };

/** The rule for an event, `undefined` when it is not alert-worthy. */
export function ruleFor(facts: KubeEventFacts, rules: KubeEventRule[] = kubeEventRules): KubeEventRule | undefined {
  for (const rule of rules) {
    if (rule.reasons.includes(facts.reason) && (!rule.when || rule.when(facts))) return rule;
  }
  return facts.type === 'Warning' ? unknownWarningRule : undefined;
}
