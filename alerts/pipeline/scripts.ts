import type { Redis } from 'ioredis';

/**
 * The pipeline's atomic steps as Lua scripts, so concurrent workers on any number of replicas
 * see consistent group state. KEYS[1] is always a key under the prefix (routing in Redis
 * Cluster); the scripts derive the other keys from ARGV[1], the prefix.
 */

/**
 * Ingest: upsert alerts into their groups. ARGV: prefix, now, flipWindowMs, flipKeep, n, then n
 * entries of 11 fields (gk, fp, status f|r, payload, receiver, routeId, groupLabels, owner,
 * groupWaitMs, inhibit 0|1|2, labels). A resolved alert for a group that does not exist is
 * dropped (nothing to resolve). Answers [gk, gen, nextFlushAt, …] for every touched group whose
 * current generation's flush job is not known to be scheduled (`sched` ≠ `gen`).
 */
const ingestLua = `
local p = ARGV[1]; local now = tonumber(ARGV[2]); local win = tonumber(ARGV[3]); local keep = tonumber(ARGV[4]); local n = tonumber(ARGV[5])
local order = {}; local groups = {}
local i = 6
for k = 1, n do
  local gk, inh = ARGV[i], ARGV[i+9]
  if inh == '1' then redis.call('HSET', p..':isrc', ARGV[i+1], ARGV[i+10]) elseif inh == '2' then redis.call('HDEL', p..':isrc', ARGV[i+1]) end
  local g = groups[gk]
  if not g then g = { first = i, items = {} }; groups[gk] = g; order[#order+1] = gk end
  g.items[#g.items+1] = i
  i = i + 11
end
local function chunked(cmd, key, list)
  for s = 1, #list, 2000 do redis.call(cmd, key, unpack(list, s, math.min(s + 1999, #list))) end
end
local out = {}
for _, gk in ipairs(order) do
  local g = groups[gk]
  local meta = p..':ag:'..gk
  local exists = redis.call('EXISTS', meta) == 1
  local items = {}
  for _, j in ipairs(g.items) do if exists or ARGV[j+2] == 'f' then items[#items+1] = j end end
  if #items > 0 then
    if not exists then
      local f = g.first
      local gen = redis.call('INCR', p..':gen:'..gk)
      redis.call('EXPIRE', p..':gen:'..gk, 2592000)
      redis.call('HSET', meta, 'receiver', ARGV[f+4], 'route', ARGV[f+5], 'labels', ARGV[f+6], 'owner', ARGV[f+7], 'created', now, 'gen', gen, 'next', now + tonumber(ARGV[f+8]))
      redis.call('SADD', p..':groups', gk)
    end
    local v = redis.call('HMGET', meta, 'gen', 'next', 'sched')
    if v[1] ~= v[3] then out[#out+1] = gk; out[#out+1] = v[1]; out[#out+1] = v[2] end
    local sk = p..':as:'..gk
    local fps = {}
    for x, j in ipairs(items) do fps[x] = ARGV[j+1] end
    local prevs = {}
    for s = 1, #fps, 1000 do
      local got = redis.call('HMGET', sk, unpack(fps, s, math.min(s + 999, #fps)))
      for x = 1, #got do prevs[s + x - 1] = got[x] end
    end
    local states = {}; local payloads = {}; local latest = {}
    for x, j in ipairs(items) do
      local fp, st = ARGV[j+1], ARGV[j+2]
      local prev = latest[fp] or prevs[x]
      local ver, flips = 1, ''
      if prev then
        local pv, pst, pf = string.match(prev, '^(%d+)|(%a)|(.*)$')
        ver = tonumber(pv) + 1
        flips = pf
        if pst ~= st then
          local kept = {}
          for t in string.gmatch(flips, '%d+') do if tonumber(t) > now - win then kept[#kept+1] = t end end
          kept[#kept+1] = tostring(now)
          while #kept > keep do table.remove(kept, 1) end
          flips = table.concat(kept, ',')
        end
      end
      local state = ver..'|'..st..'|'..flips
      latest[fp] = state
      states[#states+1] = fp; states[#states+1] = state
      payloads[#payloads+1] = fp; payloads[#payloads+1] = ARGV[j+3]
    end
    chunked('HSET', sk, states)
    chunked('HSET', p..':aa:'..gk, payloads)
  end
end
return out
`;

/**
 * Flush commit. ARGV: prefix, gk, gen, now, intervalMs, nflog ('' = unchanged), incident op
 * ('' | 'open' | 'update' | 'close'), incidentId, ref, incidentFields (JSON), then pairs of
 * (fp, version) of resolved alerts to drop when unmodified. Answers -1 when `gen` is stale,
 * 0 when the group was deleted, else the next generation. It is marked scheduled only once its
 * job is added, so while adding fails (Redis trouble after the commit) the next ingest for the
 * group adds it again: a group never waits for a flush nobody scheduled.
 */
const commitLua = `
local p, gk, gen, now, interval = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local nflog, op, incId, ref, fields = ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10]
local meta = p..':ag:'..gk
if redis.call('HGET', meta, 'gen') ~= gen then return -1 end
if nflog ~= '' then redis.call('SET', p..':nflog:'..gk, nflog) end
local inc = p..':inc:'..incId
if op ~= '' then
  local f = cjson.decode(fields)
  for name, value in pairs(f) do redis.call('HSET', inc, name, value) end
  if op == 'open' then
    redis.call('HSET', inc, 'id', incId, 'ref', ref, 'gk', gk, 'openedAt', now)
    redis.call('ZADD', p..':incidents', now, incId)
    redis.call('SET', p..':ref:'..ref, incId)
    redis.call('HSET', meta, 'incident', incId, 'ref', ref)
    redis.call('HDEL', meta, 'ackedBy', 'ackedAt')
  elseif op == 'close' then
    redis.call('HSET', inc, 'closedAt', now)
    redis.call('ZREM', p..':incidents', incId)
    redis.call('EXPIRE', inc, 604800)
    redis.call('EXPIRE', p..':ref:'..ref, 604800)
    redis.call('HDEL', meta, 'incident', 'ref', 'ackedBy', 'ackedAt')
  end
end
local sk = p..':as:'..gk
local i = 11
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
  redis.call('DEL', meta, sk, p..':aa:'..gk, p..':nflog:'..gk)
  redis.call('SREM', p..':groups', gk)
  return 0
end
local next = redis.call('INCR', p..':gen:'..gk)
redis.call('EXPIRE', p..':gen:'..gk, 2592000)
redis.call('HSET', meta, 'gen', next, 'next', now + interval)
return next
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

/** Marks flush jobs as scheduled. ARGV: prefix, then pairs (gk, gen); only the current gen counts. */
const scheduledLua = `
local p = ARGV[1]
for i = 2, #ARGV, 2 do
  local meta = p..':ag:'..ARGV[i]
  if redis.call('HGET', meta, 'gen') == ARGV[i+1] then redis.call('HSET', meta, 'sched', ARGV[i+1]) end
end
return 0
`;

/** Releases a lock only when we still hold it. */
const unlockLua = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Before a delivery. KEYS[1]: the incident's stored message ref at the destination; ARGV: the
 * in-flight marker key (same prefix), now (epoch ms), marker TTL (s). Answers [ref, marker] as
 * they were; when neither exists (a first post is about to start) sets the marker to `now`.
 */
const claimLua = `
local stored = redis.call('GET', KEYS[1])
local marker = redis.call('GET', ARGV[1])
if not stored and not marker then redis.call('SET', ARGV[1], ARGV[2], 'EX', tonumber(ARGV[3])) end
return { stored or false, marker or false }
`;

export interface PipelineScripts {
  ingest(key: string, args: Array<string | number>): Promise<string[]>;
  commit(key: string, args: Array<string | number>): Promise<number>;
  ack(key: string, args: Array<string | number>): Promise<[string, string, string]>;
  scheduled(key: string, args: Array<string | number>): Promise<number>;
  unlock(key: string, token: string): Promise<number>;
  /** See `claimLua`: the stored ref JSON and the in-flight marker (epoch ms), each null when absent. */
  claim(msgKey: string, args: [attemptKey: string, now: number, ttlS: number]): Promise<[string | null, string | null]>;
}

/** Registers the scripts on a connection (EVALSHA with automatic reload). */
export function defineScripts(redis: Redis): PipelineScripts {
  const defs = {
    fmIngest: ingestLua,
    fmCommit: commitLua,
    fmAck: ackLua,
    fmScheduled: scheduledLua,
    fmUnlock: unlockLua,
    fmClaim: claimLua,
  };
  for (const [name, lua] of Object.entries(defs)) {
    if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: 1, lua });
  }
  const call = (name: keyof typeof defs) => (key: string, args: Array<string | number>) =>
    (redis as unknown as Record<string, (...a: Array<string | number>) => Promise<unknown>>)[name]!(key, ...args);
  return {
    ingest: call('fmIngest') as PipelineScripts['ingest'],
    commit: call('fmCommit') as PipelineScripts['commit'],
    ack: call('fmAck') as PipelineScripts['ack'],
    scheduled: call('fmScheduled') as PipelineScripts['scheduled'],
    unlock: (key, token) => call('fmUnlock')(key, [token]) as Promise<number>,
    claim: call('fmClaim') as PipelineScripts['claim'],
  };
}
