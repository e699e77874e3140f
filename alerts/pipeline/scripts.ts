import type { Redis } from 'ioredis';

/**
 * The pipeline's atomic steps as Lua scripts, so concurrent workers on any number of replicas
 * see consistent group state. KEYS[1] is always a key under the prefix (routing in Redis
 * Cluster); the scripts derive the other keys from ARGV[1], the prefix.
 */

/**
 * Ingest: upsert alerts into their groups. ARGV: prefix, now, flipWindowMs, flipKeep, n, then n
 * entries of 11 fields (gk, fp, status f|r, payload, receiver, routeId, groupLabels, owner,
 * groupWaitMs, inhibit 0|1|2, labels). A resolved alert for a group that does not exist (or is
 * emptied and only kept for its timer) is dropped (nothing to resolve). As in Alertmanager, a
 * group that has not flushed yet is flushed at once when an alert joins it with group wait 0
 * (it started more than group_wait ago), and an emptied group that an alert fires in again runs
 * on at its next group_interval tick instead of a fresh group_wait. Status changes are kept per
 * alert in the group's flip history (`fl:`), which outlives the alert's removal for flapping
 * damping. Answers [gk, gen, nextFlushAt, …] for every touched group whose current generation's
 * flush job is not known to be scheduled (`sched` ≠ `gen`).
 */
const ingestLua = `
local p = ARGV[1]; local now = tonumber(ARGV[2]); local win = tonumber(ARGV[3]); local keep = tonumber(ARGV[4]); local n = tonumber(ARGV[5])
local order = {}; local groups = {}
local i = 6
for k = 1, n do
  local gk, inh = ARGV[i], ARGV[i+9]
  if inh == '1' then redis.call('HSET', p..':isrc', ARGV[i+1], ARGV[i+10]) elseif inh == '2' then redis.call('HDEL', p..':isrc', ARGV[i+1]) end
  local g = groups[gk]
  if not g then g = { first = i, wait = tonumber(ARGV[i+8]), items = {} }; groups[gk] = g; order[#order+1] = gk end
  g.items[#g.items+1] = i
  i = i + 11
end
local function chunked(cmd, key, list)
  for s = 1, #list, 2000 do redis.call(cmd, key, unpack(list, s, math.min(s + 1999, #list))) end
end
local function newGen(gk)
  local gen = redis.call('INCR', p..':gen:'..gk)
  redis.call('EXPIRE', p..':gen:'..gk, 2592000)
  return gen
end
local out = {}
for _, gk in ipairs(order) do
  local g = groups[gk]
  local meta = p..':ag:'..gk
  local m = redis.call('HMGET', meta, 'gen', 'idle', 'flushed', 'next', 'ivl')
  local live = m[1] and not m[2]
  local items = {}
  for _, j in ipairs(g.items) do if live or ARGV[j+2] == 'f' then items[#items+1] = j end end
  if #items > 0 then
    if not m[1] then
      local f = g.first
      redis.call('HSET', meta, 'receiver', ARGV[f+4], 'route', ARGV[f+5], 'labels', ARGV[f+6], 'owner', ARGV[f+7], 'created', now, 'gen', newGen(gk), 'next', now + g.wait)
      redis.call('SADD', p..':groups', gk)
    elseif m[2] then
      local nxt, ivl = tonumber(m[4]) or now, tonumber(m[5]) or 0
      if nxt < now and ivl > 0 then nxt = nxt + math.ceil((now - nxt) / ivl) * ivl end
      if nxt < now then nxt = now end
      redis.call('PERSIST', meta)
      redis.call('PERSIST', p..':nf:'..gk)
      redis.call('HDEL', meta, 'idle')
      redis.call('HSET', meta, 'gen', newGen(gk), 'next', nxt)
      redis.call('SADD', p..':groups', gk)
    elseif not m[3] and g.wait == 0 and (tonumber(m[4]) or 0) > now then
      redis.call('HSET', meta, 'gen', newGen(gk), 'next', now)
    end
    local v = redis.call('HMGET', meta, 'gen', 'next', 'sched')
    if v[1] ~= v[3] then out[#out+1] = gk; out[#out+1] = v[1]; out[#out+1] = v[2] end
    local sk = p..':as:'..gk
    local fk = p..':fl:'..gk
    local hasFlips = redis.call('EXISTS', fk) == 1
    local fps = {}
    for x, j in ipairs(items) do fps[x] = ARGV[j+1] end
    local prevs = {}
    for s = 1, #fps, 1000 do
      local got = redis.call('HMGET', sk, unpack(fps, s, math.min(s + 999, #fps)))
      for x = 1, #got do prevs[s + x - 1] = got[x] end
    end
    local states = {}; local payloads = {}; local latest = {}; local recs = {}; local flipped = {}
    for x, j in ipairs(items) do
      local fp, st = ARGV[j+1], ARGV[j+2]
      local prev = latest[fp] or prevs[x]
      local ver, pst = 1, nil
      if prev then
        local pv, ps = string.match(prev, '^(%d+)|(%a)')
        ver = tonumber(pv) + 1
        pst = ps
      end
      local rec = recs[fp]
      if rec == nil and hasFlips and pst ~= st then
        rec = redis.call('HGET', fk, fp) or false
        recs[fp] = rec
      end
      local last = pst or (rec and string.sub(rec, 1, 1)) or nil
      if last and last ~= st then
        local kept = {}
        if rec then for t in string.gmatch(string.sub(rec, 3), '%d+') do if tonumber(t) > now - win then kept[#kept+1] = t end end end
        kept[#kept+1] = tostring(now)
        while #kept > keep do table.remove(kept, 1) end
        rec = st..'|'..table.concat(kept, ',')
        recs[fp] = rec
        hasFlips = true
        flipped[#flipped+1] = fp
      end
      local state = ver..'|'..st
      latest[fp] = state
      states[#states+1] = fp; states[#states+1] = state
      payloads[#payloads+1] = fp; payloads[#payloads+1] = ARGV[j+3]
    end
    chunked('HSET', sk, states)
    chunked('HSET', p..':aa:'..gk, payloads)
    if #flipped > 0 then
      local writes = {}
      for _, fp in ipairs(flipped) do writes[#writes+1] = fp; writes[#writes+1] = recs[fp] end
      chunked('HSET', fk, writes)
      if win > 0 then redis.call('PEXPIRE', fk, win) end
    end
  end
end
return out
`;

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

/** Extends a lock (ARGV: token, ttl ms) only when we still hold it; answers 1 when extended. */
const renewLua = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

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
  /** See `reserveRefLua`: the ref reserved for the incident, or null when every candidate is taken. */
  reserveRef(key: string, args: Array<string | number>): Promise<string | null>;
  /** See `deliveredLua`: 1 when the message ref was stored. */
  delivered(msgKey: string, args: Array<string | number>): Promise<number>;
  /** See `settleLua`. */
  settle(key: string, args: Array<string | number>): Promise<number>;
  unlock(key: string, token: string): Promise<number>;
  renew(key: string, token: string, ttlMs: number): Promise<number>;
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
    fmRenew: renewLua,
    fmClaim: claimLua,
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
    ingest: call('fmIngest') as PipelineScripts['ingest'],
    commit: call('fmCommit') as PipelineScripts['commit'],
    ack: call('fmAck') as PipelineScripts['ack'],
    scheduled: call('fmScheduled') as PipelineScripts['scheduled'],
    reserveRef: call('fmReserveRef') as PipelineScripts['reserveRef'],
    delivered: call('fmDelivered') as PipelineScripts['delivered'],
    settle: call('fmSettle') as PipelineScripts['settle'],
    unlock: (key, token) => call('fmUnlock')(key, [token]) as Promise<number>,
    renew: (key, token, ttlMs) => call('fmRenew')(key, [token, ttlMs]) as Promise<number>,
    claim: call('fmClaim') as PipelineScripts['claim'],
  };
}
