/**
 * Where each pod incarnation of a workload lived, kept in Redis (one hash per workload, one
 * field per pod uid, bounded): node, IP, when it was created, became Ready and ended, why it
 * ended, and which earlier incarnation it replaced. The migration reconciler writes it; the
 * `pod` query reads it to show IP and node history.
 */
import type { Redis } from 'ioredis';
import { kubeKeys } from '../core/redis-keys.ts';

/** One pod incarnation. Times are epoch ms, 0 when unknown. */
export interface Incarnation {
  uid: string;
  name: string;
  /** Controller uid (ReplicaSet or StatefulSet) the pod belonged to. */
  ownerUid: string;
  node: string;
  ip: string;
  createdAt: number;
  readyAt: number;
  /** When it last stopped being Ready (node NotReady, probe, deletion); 0 while Ready. */
  lostAt?: number;
  endedAt: number;
  /** True when the end was only noticed late (the pod vanished while unobserved). */
  endLate?: boolean;
  reason: string;
  detail: string;
  /** Uid of the incarnation this one replaced; '' when none; absent until decided. */
  pred?: string;
  /** Uid of the incarnation that replaced this one. */
  succ?: string;
}

export interface PodHistoryStore {
  load(workloadKey: string): Promise<Map<string, Incarnation>>;
  save(workloadKey: string, changed: Incarnation[], all: Map<string, Incarnation>): Promise<void>;
  drop(workloadKey: string): Promise<void>;
  /** The chain of incarnations ending with `uid`, oldest first. */
  chain(workloadKey: string, uid: string): Promise<Incarnation[]>;
  /** The chain through `uid`: its predecessors, it, and the pods that replaced it, oldest first. */
  lineage(workloadKey: string, uid: string): Promise<Incarnation[]>;
  /** Incarnations that had this IP (newest first): which workload and which pod uid. */
  byIp(ip: string): Promise<Array<{ workload: string; uid: string }>>;
}

export interface PodHistoryOptions {
  redis: Redis;
  prefix: string;
  /** Incarnations kept per workload (default 50). */
  maxPerWorkload?: number;
  /** Hash TTL, refreshed on every write (default 30 days). */
  ttlSeconds?: number;
}

export function createPodHistory(opts: PodHistoryOptions): PodHistoryStore {
  const max = opts.maxPerWorkload ?? 50;
  const ttl = opts.ttlSeconds ?? 30 * 86400;
  const keys = kubeKeys(opts.prefix);
  const key = keys.history;
  const ipKey = keys.historyByIp;
  const load = async (w: string) => {
    const raw = await opts.redis.hgetall(key(w));
    const out = new Map<string, Incarnation>();
    for (const [uid, json] of Object.entries(raw)) {
      try {
        out.set(uid, JSON.parse(json) as Incarnation);
      } catch {
        // an unreadable entry is dropped on the next save
      }
    }
    return out;
  };
  return {
    load,
    async save(w, changed, all) {
      const tx = opts.redis.multi();
      if (changed.length) tx.hset(key(w), ...changed.flatMap((i) => [i.uid, JSON.stringify(i)]));
      for (const i of changed) {
        if (!i.ip) continue;
        tx.zadd(ipKey(i.ip), i.endedAt || i.createdAt || Date.now(), `${w}|${i.uid}`);
        tx.zremrangebyrank(ipKey(i.ip), 0, -11);
        tx.expire(ipKey(i.ip), ttl);
      }
      if (all.size > max) {
        const ended = [...all.values()].filter((i) => i.endedAt > 0).sort((a, b) => a.endedAt - b.endedAt);
        const drop = ended.slice(0, all.size - max).map((i) => i.uid);
        if (drop.length) tx.hdel(key(w), ...drop);
      }
      tx.expire(key(w), ttl);
      await tx.exec();
    },
    async drop(w) {
      await opts.redis.del(key(w));
    },
    async byIp(ip) {
      const members = await opts.redis.zrevrange(ipKey(ip), 0, 9);
      return members.map((m) => {
        const cut = m.lastIndexOf('|');
        return { workload: m.slice(0, cut), uid: m.slice(cut + 1) };
      });
    },
    async lineage(w, uid) {
      const all = await load(w);
      const seen = new Set<string>();
      const out = ancestry(all, uid, seen);
      let next = all.get(uid)?.succ;
      while (next && !seen.has(next)) {
        const inc = all.get(next);
        if (!inc) break;
        seen.add(next);
        out.push(inc);
        next = inc.succ;
      }
      return out;
    },
    async chain(w, uid) {
      return ancestry(await load(w), uid, new Set());
    },
  };
}

/** `uid` and its predecessors, oldest first; every uid visited is added to `seen`. */
function ancestry(all: Map<string, Incarnation>, uid: string, seen: Set<string>): Incarnation[] {
  const out: Incarnation[] = [];
  let cur = all.get(uid);
  while (cur && !seen.has(cur.uid)) {
    seen.add(cur.uid);
    out.unshift(cur);
    cur = cur.pred ? all.get(cur.pred) : undefined;
  }
  return out;
}
