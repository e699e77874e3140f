--[[
  Flush commit (starts with nflog-cas.lua and message-claim.lua). KEYS[1] is the group meta (it routes the call); every
  key is derived from the prefix ARGV[1] (its hash tag keeps them in one Redis Cluster slot):
  {p}:ag:<gk> group meta, {p}:nf:<gk> notification log, {p}:as:<gk> / {p}:aa:<gk> alert states and payloads, {p}:gen:<gk>,
  {p}:groups, {p}:inc:<incident>, {p}:incidents, {p}:ref:<ref>, {p}:due and {p}:due:wake,
  {p}:outbox and {p}:outbox:jobs.

  ARGV: prefix, gk, gen, now, intervalMs, logs (JSON list of [destKey, seq, entry text] for
  destinations that were told without a send, '' = none), incident op ('' | 'open' | 'update' |
  'close'), incidentId, ref (for 'open': taken here unless another incident holds it; reserved
  by reserve-ref.lua when the first candidate was taken), incidentFields (JSON),
  keepEmptyMs, nextAt (epoch ms of the group's next group_interval tick), the notification JSON
  (the incident's `last`, '' = none), outbox lease end (epoch ms, '' = none), the message
  marker's and lock's TTLs (s, ms) for claims, the number of deliveries for the outbox, eight
  values per delivery (in-flight mark field, mark, delivery id, the delivery's JSON without its
  notification and opening brace, then a lock token ('' = no claim) and the message, marker and
  lock keys: the destination's in-flight mark is set, the delivery, with the notification put in
  front, recorded in the outbox until the lease ends, see direct-delivery.ts, and its message
  claimed with claimMessage when a token is given), then pairs of (fp, version) of resolved
  alerts to drop when unmodified.

  Answers [outcome, then per delivery its claim]: the outcome is -1 when `gen` is stale (nothing
  written; whoever moved the generation on set the group's due time), -2 when the ref of an
  incident to open belongs to another incident (nothing written), 0 when the group emptied (it
  leaves the due set and is kept, idle, for keepEmptyMs so an alert firing again joins its
  timer), else the next generation, whose flush is then due at nextAt (a scheduler is woken when
  that is the earliest due time). A claim is 0 when none was asked for, else claimMessage's answer.
]]
local p, gk, gen, now, interval = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local logs, op, incId, ref, fields, keepEmpty = ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], tonumber(ARGV[11])
local nextAt, last, leaseEnd = tonumber(ARGV[12]), ARGV[13], ARGV[14]
local markerTtl, lockTtl, outboxed = ARGV[15], ARGV[16], tonumber(ARGV[17])
local meta = p..':ag:'..gk
local nf = p..':nf:'..gk
local due = p..':due'
if redis.call('HGET', meta, 'gen') ~= gen then return { -1 } end
if op == 'open' then
  local holder = redis.call('GET', p..':ref:'..ref)
  if holder and holder ~= incId then return { -2 } end
end
local answer = { 0 }
for j = 18, 17 + 8 * outboxed, 8 do
  redis.call('HSET', nf, ARGV[j], ARGV[j+1])
  redis.call('HSET', p..':outbox:jobs', ARGV[j+2], '{"notification":'..last..','..ARGV[j+3])
  redis.call('ZADD', p..':outbox', leaseEnd, ARGV[j+2])
  local claim = 0
  if ARGV[j+4] ~= '' then claim = claimMessage(ARGV[j+5], ARGV[j+6], ARGV[j+7], now, markerTtl, ARGV[j+4], lockTtl) end
  answer[#answer + 1] = claim
end
if logs ~= '' then
  for _, l in ipairs(cjson.decode(logs)) do logEntry(nf, l[1], l[3], tonumber(l[2])) end
end
local inc = p..':inc:'..incId
if op ~= '' then
  local f = cjson.decode(fields)
  for name, value in pairs(f) do redis.call('HSET', inc, name, value) end
  if last ~= '' then redis.call('HSET', inc, 'last', last) end
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
local i = 18 + 8 * outboxed
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
  redis.call('ZREM', due, gk)
  redis.call('HSET', meta, 'idle', 1, 'next', nextAt, 'ivl', interval)
  redis.call('PEXPIRE', meta, keepEmpty)
  redis.call('PEXPIRE', nf, keepEmpty)
  return answer
end
local next = redis.call('INCR', p..':gen:'..gk)
redis.call('EXPIRE', p..':gen:'..gk, 2592000)
redis.call('HSET', meta, 'gen', next, 'next', nextAt)
local first = redis.call('ZRANGE', due, 0, 0, 'WITHSCORES')
redis.call('ZADD', due, nextAt, gk)
if not first[2] or nextAt < tonumber(first[2]) then
  redis.call('LPUSH', due..':wake', 1)
  redis.call('LTRIM', due..':wake', 0, 0)
end
answer[1] = next
return answer
