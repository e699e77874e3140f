import type { ChainableCommander, Redis } from 'ioredis';
import { luaScript } from './lua.ts';

/**
 * The pipeline's atomic steps as Lua scripts, so concurrent workers on any number of replicas
 * see consistent group state. The scripts in `lua/*.lua` (ingest, scheduled, claim, unlock,
 * renew) take every key they touch in KEYS, as their headers say. The ones still written here
 * get KEYS[1] under the prefix and derive the other keys from ARGV[1], the prefix (the hash tag
 * keeps them in one Redis Cluster slot).
 */

/**
 * Compare-and-set of one notification-log entry (`{…, "seq": n}`): a newer entry is never
 * overwritten. `settle` clears a destination's in-flight mark (field `>` + destination key,
 * `<seq>|<epoch ms>`, set by the flush before it enqueues a send) up to `seq`.
 */
const nflogCasLua = `
local function logEntry(key, dest, text, seq)
  local cur = redis.call('HGET', key, dest)
  if cur then
    local ok, e = pcall(cjson.decode, cur)
    if ok and type(e) == 'table' and (tonumber(e.seq) or 0) >= seq then return 0 end
  end
  redis.call('HSET', key, dest, text)
  return 1
end
local function settle(key, dest, seq)
  local mark = redis.call('HGET', key, '>'..dest)
  if mark and (tonumber(string.match(mark, '^(%d+)')) or 0) <= seq then redis.call('HDEL', key, '>'..dest) end
end
`;

/**
 * Flush commit. ARGV: prefix, gk, gen, now, intervalMs, logs (JSON list of [destKey, seq, entry
 * text] for destinations that were told without a send, '' = none), incident op ('' | 'open' |
 * 'update' | 'close'), incidentId, ref (reserved by `reserveRef` for 'open'), incidentFields
 * (JSON), keepEmptyMs, then pairs of (fp, version) of resolved alerts to drop when unmodified.
 * Answers -1 when `gen` is stale, 0 when the group emptied (it is kept, idle, for keepEmptyMs so
 * an alert firing again joins its timer), else the next generation. It is marked scheduled only
 * once its job is added, so while adding fails (Redis trouble after the commit) the next ingest
 * for the group adds it again: a group never waits for a flush nobody scheduled.
 */
const commitLua = `
${nflogCasLua}
local p, gk, gen, now, interval = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local logs, op, incId, ref, fields, keepEmpty = ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], tonumber(ARGV[11])
local meta = p..':ag:'..gk
local nf = p..':nf:'..gk
if redis.call('HGET', meta, 'gen') ~= gen then return -1 end
if logs ~= '' then
  for _, l in ipairs(cjson.decode(logs)) do logEntry(nf, l[1], l[3], tonumber(l[2])) end
end
local inc = p..':inc:'..incId
if op ~= '' then
  local f = cjson.decode(fields)
  for name, value in pairs(f) do redis.call('HSET', inc, name, value) end
  if op == 'open' then
    redis.call('HSET', inc, 'id', incId, 'ref', ref, 'gk', gk, 'openedAt', now)
    redis.call('ZADD', p..':incidents', now, incId)
    redis.call('SET', p..':ref:'..ref, incId)
    redis.call('HSET', meta, 'incident', incId, 'ref', ref)
    redis.call('HDEL', meta, 'ackedBy', 'ackedAt', 'lastInc', 'lastRef')
  elseif op == 'close' then
    redis.call('HSET', inc, 'closedAt', now)
    redis.call('ZREM', p..':incidents', incId)
    redis.call('EXPIRE', inc, 604800)
    redis.call('EXPIRE', p..':ref:'..ref, 604800)
    redis.call('HSET', meta, 'lastInc', incId, 'lastRef', ref)
    redis.call('HDEL', meta, 'incident', 'ref', 'ackedBy', 'ackedAt')
  end
end
redis.call('HSET', meta, 'flushed', 1)
local sk = p..':as:'..gk
local i = 12
while i < #ARGV do
  local fp, ver = ARGV[i], ARGV[i+1]
  local cur = redis.call('HGET', sk, fp)
  if cur and string.match(cur, '^(%d+)|') == ver then
    redis.call('HDEL', sk, fp)
    redis.call('HDEL', p..':aa:'..gk, fp)
  end
  i = i + 2
end
if redis.call('HLEN', p..':aa:'..gk) == 0 and not redis.call('HGET', meta, 'incident') then
  redis.call('DEL', sk, p..':aa:'..gk)
  redis.call('SREM', p..':groups', gk)
  redis.call('HSET', meta, 'idle', 1, 'next', now + interval, 'ivl', interval)
  redis.call('PEXPIRE', meta, keepEmpty)
  redis.call('PEXPIRE', nf, keepEmpty)
  return 0
end
local next = redis.call('INCR', p..':gen:'..gk)
redis.call('EXPIRE', p..':gen:'..gk, 2592000)
redis.call('HSET', meta, 'gen', next, 'next', now + interval)
return next
`;

/**
 * Reserves an incident's short ref. ARGV: prefix, incidentId, ttlS, then candidate refs in
 * order. Answers the candidate already reserved for this incident, else the first one SET NX
 * could take (with the TTL; the commit that opens the incident makes it permanent), else false.
 */
const reserveRefLua = `
local p, id, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
for i = 4, #ARGV do if redis.call('GET', p..':ref:'..ARGV[i]) == id then return ARGV[i] end end
for i = 4, #ARGV do
  if redis.call('SET', p..':ref:'..ARGV[i], id, 'NX', 'EX', ttl) then return ARGV[i] end
end
return false
`;

/**
 * After a successful delivery. KEYS[1]: the message ref key; ARGV: in-flight marker key, message
 * JSON (`{ref, seq}`), seq, TTL (s), group meta key, notification-log key, destination key, log
 * entry text ('' = none), log seq. Stores the ref unless a newer seq is stored (compare-and-set),
 * clears the marker, and — while the group exists — writes the destination's notification-log
 * entry unless a newer one is there (Alertmanager's SetNotifiesStage) and clears its in-flight
 * mark. Answers 1 when the ref was stored.
 */
const deliveredLua = `
${nflogCasLua}
local stored = redis.call('GET', KEYS[1])
local seq = tonumber(ARGV[3])
local wrote = 0
local prev = stored and cjson.decode(stored)
if not prev or (tonumber(prev.seq) or 0) <= seq then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[4]))
  wrote = 1
end
redis.call('DEL', ARGV[1])
if ARGV[8] ~= '' and redis.call('EXISTS', ARGV[5]) == 1 then
  logEntry(ARGV[6], ARGV[7], ARGV[8], tonumber(ARGV[9]))
  local ttl = redis.call('PTTL', ARGV[5])
  if ttl > 0 then redis.call('PEXPIRE', ARGV[6], ttl) end
end
settle(ARGV[6], ARGV[7], tonumber(ARGV[9]))
return wrote
`;

/**
 * A delivery is over without a send. KEYS[1]: the notification-log key; ARGV: destination key,
 * seq, log entry text ('' = none: it failed for good), group meta key. Writes the entry (when
 * given and the group exists: the destination shows a newer notification already) and clears the
 * destination's in-flight mark up to `seq`, so the group's next flush decides for it again.
 */
const settleLua = `
${nflogCasLua}
if ARGV[3] ~= '' and redis.call('EXISTS', ARGV[4]) == 1 then logEntry(KEYS[1], ARGV[1], ARGV[3], tonumber(ARGV[2])) end
settle(KEYS[1], ARGV[1], tonumber(ARGV[2]))
return 0
`;

/** Ack by ref. ARGV: prefix, ref, who, at. Answers [status, gk, gen] (status ok|unknown|closed). */
const ackLua = `
local p, ref, who, at = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local id = redis.call('GET', p..':ref:'..ref)
if not id then return {'unknown', '', ''} end
local inc = p..':inc:'..id
local v = redis.call('HMGET', inc, 'gk', 'closedAt')
if not v[1] or v[2] then return {'closed', v[1] or '', ''} end
local meta = p..':ag:'..v[1]
if redis.call('HGET', meta, 'incident') ~= id then return {'closed', v[1], ''} end
redis.call('HSET', inc, 'ackedBy', who, 'ackedAt', at)
redis.call('HSET', meta, 'ackedBy', who, 'ackedAt', at)
return {'ok', v[1], redis.call('HGET', meta, 'gen')}
`;

export interface PipelineScripts {
  /** `lua/ingest.lua` on a pipeline: KEYS and ARGV as its header says. */
  ingest(pipeline: ChainableCommander, keys: string[], args: Array<string | number>): void;
  commit(key: string, args: Array<string | number>): Promise<number>;
  ack(key: string, args: Array<string | number>): Promise<[string, string, string]>;
  /** `lua/scheduled.lua`: marks each group's flush job of `gens[i]` scheduled. */
  scheduled(metaKeys: string[], gens: string[]): Promise<number>;
  /** See `reserveRefLua`: the ref reserved for the incident, or null when every candidate is taken. */
  reserveRef(key: string, args: Array<string | number>): Promise<string | null>;
  /** See `deliveredLua`: 1 when the message ref was stored. */
  delivered(msgKey: string, args: Array<string | number>): Promise<number>;
  /** See `settleLua`. */
  settle(key: string, args: Array<string | number>): Promise<number>;
  unlock(key: string, token: string): Promise<number>;
  renew(key: string, token: string, ttlMs: number): Promise<number>;
  /** `lua/claim.lua`: the stored ref JSON and the in-flight marker (epoch ms), each null when absent. */
  claim(msgKey: string, args: [attemptKey: string, now: number, ttlS: number]): Promise<[string | null, string | null]>;
}

/** Registers the scripts on a connection (EVALSHA with automatic reload). */
export function defineScripts(redis: Redis): PipelineScripts {
  // Scripts in lua/*.lua take every key they touch in KEYS (their headers name them).
  const files = { fmIngest: 'ingest', fmScheduled: 'scheduled', fmUnlock: 'unlock', fmRenew: 'renew', fmClaim: 'claim' };
  for (const [name, file] of Object.entries(files)) if (!(name in redis)) redis.defineCommand(name, { lua: luaScript(file) });
  const run = (name: keyof typeof files, keys: string[], args: Array<string | number>) =>
    (redis as unknown as Record<string, (...a: Array<string | number>) => Promise<unknown>>)[name]!(keys.length, ...keys, ...args);
  const defs = {
    fmCommit: commitLua,
    fmAck: ackLua,
    fmReserveRef: reserveRefLua,
    fmDelivered: deliveredLua,
    fmSettle: settleLua,
  };
  for (const [name, lua] of Object.entries(defs)) {
    if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: 1, lua });
  }
  const call = (name: keyof typeof defs) => (key: string, args: Array<string | number>) =>
    (redis as unknown as Record<string, (...a: Array<string | number>) => Promise<unknown>>)[name]!(key, ...args);
  return {
    ingest: (pipeline, keys, args) => {
      (pipeline as unknown as Record<string, (...a: Array<string | number>) => unknown>).fmIngest!(keys.length, ...keys, ...args);
    },
    commit: call('fmCommit') as PipelineScripts['commit'],
    ack: call('fmAck') as PipelineScripts['ack'],
    scheduled: (metaKeys, gens) => run('fmScheduled', metaKeys, gens) as Promise<number>,
    reserveRef: call('fmReserveRef') as PipelineScripts['reserveRef'],
    delivered: call('fmDelivered') as PipelineScripts['delivered'],
    settle: call('fmSettle') as PipelineScripts['settle'],
    unlock: (key, token) => run('fmUnlock', [key], [token]) as Promise<number>,
    renew: (key, token, ttlMs) => run('fmRenew', [key], [token, ttlMs]) as Promise<number>,
    claim: (msgKey, [attemptKey, now, ttlS]) =>
      run('fmClaim', [msgKey, attemptKey], [now, ttlS]) as Promise<[string | null, string | null]>,
  };
}
