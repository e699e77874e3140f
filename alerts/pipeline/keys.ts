/**
 * Every Redis key the pipeline uses, under the configured prefix (a hash tag such as
 * `{firstmate}` keeps them in one Redis Cluster slot, which the Lua scripts rely on).
 */
export function pipelineKeys(prefix: string) {
  return {
    prefix,
    groups: `${prefix}:groups`,
    /** Sorted set: open group → epoch ms its next flush is due (while a scheduler holds it, its lease's end). */
    due: `${prefix}:due`,
    /** List: an element wakes one flush scheduler waiting for the earliest due time (an earlier one came in). */
    dueWake: `${prefix}:due:wake`,
    groupMeta: (gk: string) => `${prefix}:ag:${gk}`,
    groupAlerts: (gk: string) => `${prefix}:aa:${gk}`,
    groupState: (gk: string) => `${prefix}:as:${gk}`,
    /** Generation counter of a group (outlives the group for 30 days, so generations never repeat). */
    generation: (gk: string) => `${prefix}:gen:${gk}`,
    /** Notification log of a group: a hash of destination key → what it was last told (JSON `NflogEntry`). */
    nflog: (gk: string) => `${prefix}:nf:${gk}`,
    /** Status-change history per alert of a group (`<last status>|<epoch ms>,…`), kept beyond the alert's removal. */
    flips: (gk: string) => `${prefix}:fl:${gk}`,
    incident: (id: string) => `${prefix}:inc:${id}`,
    incidents: `${prefix}:incidents`,
    /** Short ref → incident id, reserved with SET NX so two incidents never share one. */
    ref: (ref: string) => `${prefix}:ref:${ref}`,
    message: (incidentId: string, destKey: string) => `${prefix}:msg:${incidentId}:${destKey}`,
    /** A first post of the incident to the destination is (or was) in flight: epoch ms of the first try. */
    messageAttempt: (incidentId: string, destKey: string) => `${prefix}:msgtry:${incidentId}:${destKey}`,
    messageLock: (incidentId: string, destKey: string) => `${prefix}:msglock:${incidentId}:${destKey}`,
    inhibitSources: `${prefix}:isrc`,
    /** Silences (a hash by id, written by `createSilences`). */
    silences: `${prefix}:silences`,
    failed: `${prefix}:failed`,
    /** Sorted set: deliveries this process sends itself (notify job id) → epoch ms after which they count as abandoned. */
    outbox: `${prefix}:outbox`,
    /** Hash: the outbox's deliveries (notify job id → `NotifyJob` JSON). */
    outboxJobs: `${prefix}:outbox:jobs`,
    deliveries: (fp: string) => `${prefix}:dlv:${fp}`,
    rateLimit: (destKey: string) => `${prefix}:rl:${destKey}`,
  };
}

export type PipelineKeys = ReturnType<typeof pipelineKeys>;

/** BullMQ job ids (no `:` allowed): one notify job per notification and destination. */
export const notifyJobId = (notificationId: string, destKey: string) => `n-${notificationId}-${destKey}`.replace(/:/g, '_');
