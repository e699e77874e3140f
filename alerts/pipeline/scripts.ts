import type { ChainableCommander, Redis } from 'ioredis';
import { luaScript } from './lua.ts';

/** `message-claim.lua`'s answer: null while another delivery holds the lock, else the stored ref JSON and the in-flight marker, each null when absent. */
export type ClaimAnswer = [stored: string | null, marker: string | null] | null;

/**
 * The pipeline's atomic steps as Lua scripts (`lua/*.lua`, each with a header naming its KEYS and
 * ARGV), so concurrent workers on any number of replicas see consistent group state. Scripts
 * whose keys depend on what they read (commit, reserve-ref, ack) derive them from the prefix in
 * ARGV[1]; its hash tag keeps every key in one Redis Cluster slot. The scripts that write
 * notification-log entries start with `lua/nflog-cas.lua`.
 */
const files = {
  fmIngest: ['ingest'],
  fmFlushClaim: ['flush-claim'],
  fmFlushRead: ['flush-read'],
  fmFlushRelease: ['flush-release'],
  fmCommit: ['nflog-cas', 'message-claim', 'commit'],
  fmReserveRef: ['reserve-ref'],
  fmAck: ['ack'],
  fmDelivered: ['nflog-cas', 'delivered'],
  fmSettle: ['nflog-cas', 'settle'],
  fmUnlock: ['unlock'],
  fmRenew: ['renew'],
  fmClaim: ['message-claim', 'claim'],
  fmOutboxLeave: ['outbox-leave'],
} as const;
type Name = keyof typeof files;

export interface PipelineScripts {
  /** `ingest.lua`: the number of groups given a new due time. */
  ingest(keys: string[], args: Array<string | number>): Promise<number>;
  /** The same, queued on a pipeline. */
  queueIngest(pipeline: ChainableCommander, keys: string[], args: Array<string | number>): void;
  /** `flush-claim.lua`: the groups claimed and the earliest due time left (epoch ms, null when none). */
  flushClaim(keys: [due: string, wake: string], args: [now: number, leaseMs: number, max: number]): Promise<[string[], string | null]>;
  /** `flush-release.lua`: 1 when the group left the due set. */
  flushRelease(keys: [due: string, meta: string], args: [gk: string, retryAt: number | '']): Promise<number>;
  /**
   * `commit.lua` (KEYS[1]: the group meta): -1 stale, -2 the ref to open with is another
   * incident's, 0 emptied, else the next generation; then the claim of each delivery recorded (0: none asked for).
   */
  commit(meta: string, args: Array<string | number>): Promise<[number, ...Array<0 | ClaimAnswer>]>;
  /** `reserve-ref.lua` (KEYS[1]: the open groups): the ref reserved, or null when every candidate is taken. */
  reserveRef(groups: string, args: Array<string | number>): Promise<string | null>;
  /** `ack.lua` (KEYS[1]: the ref): [status, gk]. */
  ack(ref: string, args: Array<string | number>): Promise<[string, string]>;
  /** `delivered.lua` (KEYS: message, attempt, meta, nflog, lock, then each alert's delivery records): 1 when the message ref was stored. */
  delivered(keys: string[], args: Array<string | number>): Promise<number>;
  /** `flush-read.lua`: the group's meta, alerts, states, notification log, flips, the silences and inhibition sources. */
  flushRead(
    keys: FlushReadKeys,
    args: [withInhibit: 0 | 1],
  ): Promise<[string[], string[], string[], string[], string[], string[], string[]]>;
  /** `settle.lua`. */
  settle(keys: [nflog: string, meta: string], args: Array<string | number>): Promise<number>;
  unlock(key: string, token: string): Promise<number>;
  renew(key: string, token: string, ttlMs: number): Promise<number>;
  /** `outbox-leave.lua`: how many of the deliveries were in the outbox. */
  outboxLeave(keys: [outbox: string, jobs: string], ids: string[]): Promise<number>;
  /** `claim.lua`: null while another delivery holds the lock, else the stored ref JSON and the in-flight marker (epoch ms), each null when absent. */
  claim(
    keys: [msg: string, attempt: string, lock: string],
    args: [now: number, ttlS: number, token: string, lockMs: number],
  ): Promise<ClaimAnswer>;
}

type FlushReadKeys = [meta: string, alerts: string, states: string, nflog: string, flips: string, silences: string, inhibitSources: string];
type Commands = Record<string, (...a: Array<string | number>) => unknown>;

/** Registers the scripts on a connection (EVALSHA with automatic reload). */
export function defineScripts(redis: Redis): PipelineScripts {
  for (const [name, parts] of Object.entries(files))
    if (!(name in redis)) redis.defineCommand(name, { lua: parts.map((f) => luaScript(f)).join('\n') });
  const on = (target: Redis | ChainableCommander, name: Name, keys: readonly string[], args: ReadonlyArray<string | number>) =>
    (target as unknown as Commands)[name]!(keys.length, ...keys, ...args);
  const run = <T>(name: Name, keys: readonly string[], args: ReadonlyArray<string | number>) => on(redis, name, keys, args) as Promise<T>;
  return {
    ingest: (keys, args) => run('fmIngest', keys, args),
    queueIngest: (pipeline, keys, args) => void on(pipeline, 'fmIngest', keys, args),
    flushClaim: (keys, args) => run('fmFlushClaim', keys, args),
    flushRelease: (keys, args) => run('fmFlushRelease', keys, args),
    commit: (meta, args) => run('fmCommit', [meta], args),
    reserveRef: (groups, args) => run('fmReserveRef', [groups], args),
    ack: (ref, args) => run('fmAck', [ref], args),
    delivered: (keys, args) => run('fmDelivered', keys, args),
    flushRead: (keys, args) => run('fmFlushRead', keys, args),
    settle: (keys, args) => run('fmSettle', keys, args),
    unlock: (key, token) => run('fmUnlock', [key], [token]),
    renew: (key, token, ttlMs) => run('fmRenew', [key], [token, ttlMs]),
    claim: (keys, args) => run('fmClaim', keys, args),
    outboxLeave: (keys, ids) => run('fmOutboxLeave', keys, ids),
  };
}
