/**
 * Helpers shared by the workload controllers: pods stamped from a workload's template with the
 * owner reference a real controller sets, and a template hash for revisions.
 */
import type { KubeObject, Pod, Workload } from '../types.ts';

/** FNV-1a 32 of the text, in base 36: stable revision/template hashes. */
export function templateHash(value: unknown): string {
  let h = 0x811c9dc5;
  const text = JSON.stringify(value);
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36).padStart(7, '0').slice(0, 10);
}

export function ownerRef(owner: KubeObject): NonNullable<KubeObject['metadata']['ownerReferences']>[number] {
  return {
    apiVersion: owner.apiVersion!,
    kind: owner.kind!,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * A pod (not yet stored) from `owner`'s template with extra labels and annotations. With `share`,
 * the pod reuses the template's nested objects instead of copies (for bulk-built clusters: the
 * store never mutates stored objects in place).
 */
export function podFromTemplate(
  owner: Workload,
  meta: { name?: string; generateName?: string; labels?: Record<string, string>; annotations?: Record<string, string> },
  share = false,
): Pod {
  const template = share ? owner.spec.template : structuredClone(owner.spec.template);
  const annotations = { ...(template.metadata?.annotations ?? {}), ...(meta.annotations ?? {}) };
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace: owner.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), ...(meta.labels ?? {}) },
      ownerReferences: [ownerRef(owner)],
    },
    spec: { ...template.spec },
  };
  if (Object.keys(annotations).length) pod.metadata.annotations = annotations;
  if (meta.name) pod.metadata.name = meta.name;
  if (meta.generateName) pod.metadata.generateName = meta.generateName;
  return pod;
}

export function isActive(pod: Pod): boolean {
  return pod.status?.phase !== 'Failed' && pod.status?.phase !== 'Succeeded' && !pod.metadata.deletionTimestamp;
}

export function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Sets the pod's `DisruptionTarget` condition (replacing an earlier one), as whoever is about to remove the pod does. */
export function markDisruptionTarget(pod: Pod, reason: string, message: string, at: string): void {
  const status = pod.status ?? {};
  const conditions = (status.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
  conditions.push({ type: 'DisruptionTarget', status: 'True', reason, message, lastProbeTime: null, lastTransitionTime: at });
  pod.status = { ...status, conditions };
}
