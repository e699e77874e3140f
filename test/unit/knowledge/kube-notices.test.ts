import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../alerts/model.ts';
import { BUILTIN_ARTICLES_DIR, loadArticles } from '../../../knowledge/load.ts';
import { createMatcher } from '../../../knowledge/match.ts';

/** Every notice the Kubernetes reconcilers raise, with the reason they put on it. */
const notices: Array<[string, string, string]> = [
  ['KubeNodeNotReadyStorm', '', 'node-notready-mass-eviction'],
  ['KubeNodeNotReadyStormSummary', '', 'node-notready-mass-eviction'],
  ['KubePodCrashLooping', 'CrashLoopBackOff', 'pod-crash-looping'],
  ['KubePodImagePullBackOff', 'ImagePullBackOff', 'pod-image-pull-failed'],
  ['KubePodUnschedulable', 'FailedScheduling', 'pod-unschedulable'],
  ['KubePodVolumeFailed', 'FailedMount', 'pod-volume-mount-failed'],
  ['KubeContainerProbeFailed', 'readiness', 'probe-failures'],
  ['KubeRolloutStuck', 'ProgressDeadlineExceeded', 'rollout-stuck'],
  ['KubeJobFailed', 'BackoffLimitExceeded', 'job-failed'],
  ['KubeNodeNetworkUnavailable', 'NetworkUnavailable', 'node-network-unavailable'],
  ['KubeNodeProblem', 'KernelDeadlock', 'node-problem-detector'],
];

const alert = (alertname: string, reason: string): Alert => ({
  source: 'kubernetes',
  fingerprint: '0123456789abcdef',
  status: 'firing',
  severity: 'warning',
  labels: { alertname, ...(reason ? { reason } : {}) },
  annotations: {},
  startsAt: '2026-11-27T10:00:00Z',
  subject: {},
  links: {},
});

describe('knowledge articles for the Kubernetes notices', () => {
  it.each(notices)('%s links its article', async (name, reason, id) => {
    const m = createMatcher((await loadArticles([BUILTIN_ARTICLES_DIR])).articles);
    expect(m.match(alert(name, reason)).map((x) => x.article.id)).toContain(id);
  });
});
