/**
 * Operation records in Redis, shared by every replica. Keys under `<prefix>ops:`:
 * `op:<id>` (the record as JSON, replaced only while its `rev` is still the one
 * read, so concurrent writers never lose an update), `code:<code>` → id (expires with the confirmation), `active` (ids not yet final),
 * `recent` (ids by creation time), `scope:<workload|node>` → id of the operation in flight there
 * (taken with SET NX at confirmation), `rate:<scope|user>` (ids by start time, for the hourly
 * limits) and `lease:<id>` (which executor advances it).
 */
import type { Redis } from 'ioredis';
import type { Operation } from './types.ts';

/** KEYS: record, active set, code key. ARGV: expected rev, new JSON, id, final (1|0). 1 when written. */
const SET_IF_REV = `
local cur = redis.call('GET', KEYS[1])
if not cur then return -1 end
if tostring(cjson.decode(cur).rev) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
if ARGV[4] == '1' then redis.call('SREM', KEYS[2], ARGV[3]); redis.call('DEL', KEYS[3]) end
return 1`;

/** KEYS: a key. ARGV: the value it must hold to be deleted. */
const DEL_IF = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

const FINAL = new Set(['succeeded', 'failed', 'cancelled', 'expired']);
export const isFinal = (op: Pick<Operation, 'status'>): boolean => FINAL.has(op.status);

export interface OpsStore {
  create(op: Operation, codeTtlSeconds: number): Promise<void>;
  get(id: string): Promise<Operation | undefined>;
  byCode(code: string): Promise<Operation | undefined>;
  /**
   * Applies `change` to the freshest record and writes it back atomically (retrying when another
   * writer got there first). `change` returns undefined to leave the record as it is.
   */
  update(id: string, change: (op: Operation) => Operation | undefined): Promise<Operation | undefined>;
  /** Ids of operations not yet final. */
  active(): Promise<string[]>;
  /** Newest first. */
  recent(n: number): Promise<Operation[]>;
  /** Takes the workload/node for this operation; returns the id that holds it (itself when taken). */
  claimScope(scope: string, id: string): Promise<string>;
  scopeHolder(scope: string): Promise<string | undefined>;
  releaseScope(scope: string, id: string): Promise<void>;
  /** Counts an operation against the hourly limits of a scope and a user. */
  countStart(keys: string[], id: string, at: number): Promise<void>;
  /** Operations started under `key` since `since`, other than `exceptId`. */
  started(key: string, since: number, exceptId?: string): Promise<number>;
  /** Claims (or renews) the right to advance an operation for `ms`; false when another executor holds it. */
  lease(id: string, token: string, ms: number): Promise<boolean>;
  releaseLease(id: string, token: string): Promise<void>;
}

export function createOpsStore(redis: Redis, prefix: string): OpsStore {
  const k = (s: string) => `${prefix}ops:${s}`;
  const parse = (s: string | null): Operation | undefined => (s ? (JSON.parse(s) as Operation) : undefined);
  const compareAndDelete = async (key: string, value: string) => {
    await redis.eval(DEL_IF, 1, key, value);
  };
  const store: OpsStore = {
    async create(op, ttl) {
      await redis
        .multi()
        .set(k(`op:${op.id}`), JSON.stringify(op))
        .set(k(`code:${op.code}`), op.id, 'EX', ttl + 60)
        .sadd(k('active'), op.id)
        .zadd(k('recent'), op.createdAt, op.id)
        .zremrangebyrank(k('recent'), 0, -501)
        .exec();
    },
    async get(id) {
      return parse(await redis.get(k(`op:${id}`)));
    },
    async byCode(code) {
      const id = await redis.get(k(`code:${code.toUpperCase()}`));
      return id ? store.get(id) : undefined;
    },
    async update(id, change) {
      const key = k(`op:${id}`);
      for (let attempt = 0; attempt < 20; attempt++) {
        const current = parse(await redis.get(key));
        if (!current) return undefined;
        const next = change(structuredClone(current));
        if (!next) return current;
        next.rev = current.rev + 1;
        next.updatedAt = Date.now();
        const final = isFinal(next) ? '1' : '0';
        const ok = await redis.eval(
          SET_IF_REV,
          3,
          key,
          k('active'),
          k(`code:${next.code}`),
          String(current.rev),
          JSON.stringify(next),
          id,
          final,
        );
        if (ok === 1) return next;
      }
      throw new Error(`operation ${id} is being changed by too many writers at once`);
    },
    async active() {
      return redis.smembers(k('active'));
    },
    async recent(n) {
      const ids = await redis.zrevrange(k('recent'), 0, n - 1);
      if (ids.length === 0) return [];
      const raw = await redis.mget(ids.map((id) => k(`op:${id}`)));
      return raw.map(parse).filter((o): o is Operation => o !== undefined);
    },
    async claimScope(scope, id) {
      const key = k(`scope:${scope}`);
      if (await redis.set(key, id, 'NX')) return id;
      return (await redis.get(key)) ?? (await store.claimScope(scope, id));
    },
    async scopeHolder(scope) {
      return (await redis.get(k(`scope:${scope}`))) ?? undefined;
    },
    async releaseScope(scope, id) {
      await compareAndDelete(k(`scope:${scope}`), id);
    },
    async countStart(keys, id, at) {
      const tx = redis.multi();
      for (const key of keys) tx.zadd(k(`rate:${key}`), at, id).zremrangebyscore(k(`rate:${key}`), 0, at - 86_400_000);
      await tx.exec();
    },
    async started(key, since, exceptId) {
      const ids = await redis.zrangebyscore(k(`rate:${key}`), since, '+inf');
      return ids.filter((i) => i !== exceptId).length;
    },
    async lease(id, token, ms) {
      const key = k(`lease:${id}`);
      if (await redis.set(key, token, 'PX', ms, 'NX')) return true;
      if ((await redis.get(key)) !== token) return false;
      await redis.pexpire(key, ms);
      return true;
    },
    async releaseLease(id, token) {
      await compareAndDelete(k(`lease:${id}`), token);
    },
  };
  return store;
}
