import { z } from 'zod';

/** The operation kinds firstmate runs from chat. */
export const opKinds = ['delete-pod', 'recreate-pod', 'cordon', 'uncordon', 'drain'] as const;

/** The red lines, by the name a refusal shows and `--override <name>` takes. */
export const redLineNames = [
  'protected-namespace',
  'pdb',
  'workload-not-ready',
  'in-flight',
  'rate',
  'freeze',
  'notready-storm',
  'node-share',
] as const;

/** A change freeze: from each time the cron expression fires, for `minutes`. */
export const freezeWindowSchema = z.strictObject({
  name: z.string().min(1).default('freeze'),
  /** Standard 5-field cron expression (minute hour day month weekday), e.g. `0 18 * * 5`. */
  cron: z.string().min(1),
  minutes: z.number().int().positive(),
  /** IANA time zone of the expression (default UTC). */
  timezone: z.string().min(1).default('UTC'),
});

/**
 * The `ops` section: safe operations from chat (plan → red lines → confirmation → durable,
 * leader-run execution → verification → audit).
 */
export const opsConfigSchema = z.strictObject({
  /** Operations need a cluster; `false` refuses every operation command. */
  enabled: z.boolean().default(true),
  /**
   * apps/v1 StatefulSets: remove a pod that is not the highest ordinal with the four-step label
   * protocol (`<sts>=deleted` on the pod, the same label and replicas − 1 on the StatefulSet,
   * delete the pod, clear the label). Only for clusters whose StatefulSet controller is patched to
   * honour it; otherwise such a request is refused and `recreate-pod` offered.
   */
  statefulsetLabelProtocol: z.boolean().default(false),
  /** How long a confirmation code stays valid. */
  confirmTtlSeconds: z.number().int().positive().default(300),
  /** Plans of these kinds (or in these namespaces) need a second operator to confirm. */
  highRisk: z
    .strictObject({
      kinds: z.array(z.enum(opKinds)).default(['drain']),
      namespaces: z.array(z.string().min(1)).default([]),
    })
    .prefault({}),
  redLines: z
    .strictObject({
      /** Namespaces no pod operation touches. */
      protectedNamespaces: z.array(z.string().min(1)).default(['kube-system']),
      /** Also protect firstmate's own namespace (`kube.leaderElection.namespace`, from `POD_NAMESPACE` in a pod). */
      protectOwnNamespace: z.boolean().default(true),
      /** Refuse when a PodDisruptionBudget covering the target allows no disruption. */
      pdb: z.boolean().default(true),
      /** Refuse when another instance of the workload is not Ready. */
      workloadReady: z.boolean().default(true),
      /** Operations per workload (or node) per hour. */
      maxPerWorkloadPerHour: z.number().int().positive().default(3),
      /** Operations per user per hour. */
      maxPerUserPerHour: z.number().int().positive().default(10),
      freezeWindows: z.array(freezeWindowSchema).default([]),
      /** Refuse while a NotReady storm is in progress. */
      notReadyStorm: z.boolean().default(true),
      /** Cordoned (or draining) nodes may not exceed this share of a zone, nor of all nodes. */
      maxCordonedZoneShare: z.number().min(0).max(1).default(0.34),
      maxCordonedShare: z.number().min(0).max(1).default(0.2),
    })
    .prefault({}),
  /** Drain: how long evictions refused by a PodDisruptionBudget (429) are retried. */
  drainDeadlineSeconds: z.number().int().positive().default(600),
  /** Pause between eviction attempts refused with 429. */
  evictRetryMs: z.number().int().positive().default(5_000),
  /** Verification (pod gone or back Ready, replica counts) gives up after this long. */
  verifyTimeoutSeconds: z.number().int().positive().default(300),
  /** How often the leader advances operations. */
  tickMs: z.number().int().positive().default(1_000),
  /** An executor's claim on one operation; another replica takes over after it lapses. */
  leaseMs: z.number().int().positive().default(15_000),
});

export type OpsSettings = z.infer<typeof opsConfigSchema>;
export type OpKind = (typeof opKinds)[number];
export type RedLineName = (typeof redLineNames)[number];
