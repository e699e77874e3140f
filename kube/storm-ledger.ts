/**
 * What happened during a NotReady storm, in Redis so that every replica and a restarted leader
 * write to and read from the same tally: the nodes that took part, the pods evicted from them,
 * the workloads those pods belonged to, and every move (old pod → new pod, IP kept or not). The
 * reconcilers that hold back per-pod notices during a storm record here instead; the storm's
 * summary is built from it once the storm is over. Each storm's keys expire after a day.
 */
import type { Redis } from 'ioredis';
import { kubeKeys } from '../core/redis-keys.ts';

/** One pod that moved during a storm. */
export interface StormMove {
  pod: string;
  from: string;
  to: string;
  ipKept: boolean;
}

/** What a storm did, as its summary reports it. */
export interface StormTally {
  nodes: string[];
  evicted: number;
  rescheduled: number;
  ipKept: number;
  ipChanged: number;
  /** Workload keys (`Kind/ns/name`) that lost a pod. */
  workloads: string[];
  /** A few moves, for the summary text. */
  moves: string[];
}

export interface StormLedger {
  nodes(storm: string, names: Iterable<string>): Promise<void>;
  evicted(storm: string, podUid: string, workloadKey: string | undefined): Promise<void>;
  moved(storm: string, newPodUid: string, move: StormMove, workloadKey: string): Promise<void>;
  tally(storm: string): Promise<StormTally>;
}

const TTL_SECONDS = 86_400;
const MOVES_SHOWN = 8;

export function createStormLedger(opts: { redis: Redis; prefix: string }): StormLedger {
  const key = kubeKeys(opts.prefix).storm;
  const add = async (k: string, ...members: string[]) => {
    if (!members.length) return;
    await opts.redis
      .multi()
      .sadd(k, ...members)
      .expire(k, TTL_SECONDS)
      .exec();
  };
  return {
    async nodes(storm, names) {
      await add(key(storm, 'nodes'), ...names);
    },
    async evicted(storm, podUid, workloadKey) {
      await add(key(storm, 'evicted'), podUid);
      if (workloadKey) await add(key(storm, 'workloads'), workloadKey);
    },
    async moved(storm, uid, move, workloadKey) {
      const k = key(storm, 'moved');
      await opts.redis.multi().hset(k, uid, JSON.stringify(move)).expire(k, TTL_SECONDS).exec();
      await add(key(storm, 'workloads'), workloadKey);
    },
    async tally(storm) {
      const res = await opts.redis
        .multi()
        .smembers(key(storm, 'nodes'))
        .scard(key(storm, 'evicted'))
        .hvals(key(storm, 'moved'))
        .smembers(key(storm, 'workloads'))
        .exec();
      const nodes = ((res?.[0]?.[1] as string[] | undefined) ?? []).sort();
      const evicted = Number(res?.[1]?.[1] ?? 0);
      const moves = ((res?.[2]?.[1] as string[] | undefined) ?? []).map((j) => JSON.parse(j) as StormMove);
      const workloads = ((res?.[3]?.[1] as string[] | undefined) ?? []).sort();
      const kept = moves.filter((m) => m.ipKept).length;
      return {
        nodes,
        evicted,
        rescheduled: moves.length,
        ipKept: kept,
        ipChanged: moves.length - kept,
        workloads,
        moves: moves
          .sort((a, b) => a.pod.localeCompare(b.pod))
          .slice(0, MOVES_SHOWN)
          .map((m) => `${m.pod} ${m.from} → ${m.to}${m.ipKept ? ' (IP kept)' : ''}`),
      };
    },
  };
}
