/**
 * Every Redis key firstmate uses outside the alert pipeline, built in one place from the
 * configured prefix (`redis.prefix`, e.g. `firstmate`, or `{firstmate}` so that Redis Cluster
 * keeps them in one slot). The pipeline's own keys live in `alerts/pipeline/keys.ts`.
 * docs/architecture.md lists the layout. Pure strings: this file imports nothing.
 */

/** Keys under the process-wide prefix. */
export function redisKeys(prefix: string) {
  return {
    prefix,
    /** Stream of audited chat commands (XADD, trimmed by count and age). */
    audit: `${prefix}:audit`,
    /** Sorted set: one member per command of a user in the sliding rate-limit window. */
    chatRateLimit: (userKey: string) => `${prefix}:ratelimit:${userKey}`,
    /** `SET NX EX`: a DingTalk Stream message id already handled (redelivery guard). */
    dingtalkSeen: (messageId: string) => `${prefix}:dingtalk:seen:${messageId}`,
    /** `SET NX EX`: a Slack Events API `event_id` already handled (retry guard). */
    slackEvent: (eventId: string) => `${prefix}:slack:event:${eventId}`,
    /** Hash of silences by id. */
    silences: `${prefix}:silences`,
    /** Sorted set of Sentry event ids of one issue group inside its frequency rule's window. */
    sentryFrequency: (projectId: string, groupKey: string) => `${prefix}:sentry-frequency:${projectId}:${groupKey}`,
    /** Default namespace of the knowledge-base keys (`knowledge.keyPrefix` may replace it). */
    knowledgePrefix: `${prefix}:kb:`,
    /** Namespace of the Kubernetes core's keys. */
    kubePrefix: `${prefix}:kube:`,
  };
}

/** Keys of the knowledge base's resolution notes under their namespace (e.g. `firstmate:kb:`). */
export function knowledgeKeys(ns: string) {
  return {
    /** Hash: note id → note JSON. */
    notes: `${ns}notes`,
    /** Counter handing out note ids. */
    noteSeq: `${ns}notes:seq`,
    /** Sorted sets of note ids scored by time: every note, and per fingerprint, alertname and article. */
    notesByTime: `${ns}notes:by-time`,
    notesByFingerprint: (fingerprint: string) => `${ns}notes:fp:${fingerprint}`,
    notesByAlertname: (alertname: string) => `${ns}notes:alertname:${alertname}`,
    notesByArticle: (articleId: string) => `${ns}notes:article:${articleId}`,
  };
}

/** Keys of the Kubernetes core under its namespace (e.g. `firstmate:kube:`). */
export function kubeKeys(ns: string) {
  return {
    /** `SET … EX`: a report (notice) the reconcilers already handed to the pipeline, by report id. */
    reported: (reportId: string) => `${ns}reported:${reportId}`,
    /** Hash: pod uid → incarnation JSON, one per workload (`Kind/namespace/name`). */
    history: (workloadKey: string) => `${ns}history:${workloadKey}`,
    /** Sorted set of `workload|pod uid` that held this pod IP, latest last (the last ten). */
    historyByIp: (ip: string) => `${ns}history-ip:${ip}`,
    /** A NotReady storm's ledger: `nodes`, `evicted`, `workloads` (sets) and `moved` (hash), for a day. */
    storm: (stormId: string, part: 'nodes' | 'evicted' | 'workloads' | 'moved') => `${ns}storm:${stormId}:${part}`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
export type KnowledgeKeys = ReturnType<typeof knowledgeKeys>;
export type KubeKeys = ReturnType<typeof kubeKeys>;
