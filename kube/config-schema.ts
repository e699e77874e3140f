import { z } from 'zod';

/**
 * The `kube` section: where the cluster is and how the reconciliation core behaves. With
 * `mode: auto`, `url`, then a kubeconfig (`kubeconfig`, `KUBECONFIG` or `~/.kube/config`), then the
 * in-cluster service account; with none of them `firstmate start` stops with one clear line.
 */
export const kubeConfigSchema = z
  .strictObject({
    mode: z.enum(['auto', 'kubeconfig', 'in-cluster', 'url', 'off']).default('auto'),
    /** Path(s) of kubeconfig files, joined like `KUBECONFIG`. */
    kubeconfig: z.string().min(1).optional(),
    context: z.string().min(1).optional(),
    /** A server reached without credentials (`kubectl proxy`, a simulated cluster). */
    url: z.url({ protocol: /^https?$/ }).optional(),
    /** Value of the `cluster` label on every alert from this cluster. */
    cluster: z.string().min(1).default('default'),
    leaderElection: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** Namespace of the Lease; in a pod, its own namespace (`POD_NAMESPACE`). */
        namespace: z.string().min(1).default('default'),
        leaseName: z.string().min(1).default('firstmate-leader'),
        /** This replica's name; in a pod, `POD_NAME` (default: the host name). */
        identity: z.string().min(1).optional(),
        leaseDurationMs: z.number().int().positive().default(15_000),
        renewDeadlineMs: z.number().int().positive().default(10_000),
        retryPeriodMs: z.number().int().positive().default(2_000),
      })
      .prefault({}),
    /** Many nodes NotReady at once (a control-plane network split): one critical alert instead of hundreds. */
    storm: z
      .strictObject({
        minShare: z.number().min(0).max(1).default(0.3),
        minNodes: z.number().int().min(1).default(3),
        windowMs: z.number().int().positive().default(120_000),
        /**
         * How long a node's NotReady is held before it is reported alone: the decision is taken
         * with the NotReady count at the end of this window, so no per-node alert of a storm leaks
         * out. Keep it below the eviction grace.
         */
        settleMs: z.number().int().min(0).default(45_000),
        /** The cluster's eviction grace (the taint tolerationSeconds default), for "evictions in …". */
        evictionGraceMs: z.number().int().positive().default(300_000),
        /** Nodes named in the storm alert before the rest are given as a count. */
        listNodes: z.number().int().min(1).max(200).default(20),
        /** Zone share of NotReady nodes above which the node controller slows evictions there. */
        unhealthyZoneThreshold: z.number().min(0).max(1).default(0.55),
      })
      .prefault({}),
    /** Notices the reconcilers raise about workloads, pods and nodes. */
    notices: z
      .strictObject({
        /** Migrations, OOM kills, evictions and Job failures are events: they resolve this long after they fired. */
        eventTtlSeconds: z.number().int().positive().default(1800),
        /** Namespaces whose workloads never raise notices (node notices stay). */
        ignoreNamespaces: z.array(z.string().min(1)).default([]),
        /** Probe failures (the `Unhealthy` event count) before a probe notice fires. */
        probeFailureThreshold: z.number().int().min(1).default(5),
        /** A StatefulSet not all ready for this long is a stuck rollout. */
        rolloutStuckMs: z.number().int().positive().default(600_000),
        /** Lines of the previous container's log put in a crash-loop notice (0: none). */
        logTailLines: z.number().int().min(0).max(200).default(20),
      })
      .prefault({}),
    workers: z.number().int().min(1).max(64).default(4),
    pageSize: z.number().int().min(1).max(10_000).default(500),
    /** How long "already reported" markers live in Redis. */
    reportTtlSeconds: z
      .number()
      .int()
      .positive()
      .default(7 * 86_400),
  })
  .refine((k) => k.mode !== 'url' || k.url, { message: 'mode url needs kube.url', path: ['url'] });

export type KubeSettings = z.infer<typeof kubeConfigSchema>;
