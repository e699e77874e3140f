--[[
  Ingest: upserts packed alerts (see ingest-pack.ts) into their aggregation groups.

  KEYS[1]  open groups (set)                        {p}:groups
  KEYS[2]  inhibition sources by fingerprint        {p}:isrc
  KEYS[3]  flush due times (sorted set)             {p}:due
  KEYS[4]  wake-up of the flush schedulers (list)   {p}:due:wake
  then six keys per group, in ARGV order (g = 0, 1, …):
  KEYS[5+6g] group meta (hash)                      {p}:ag:<gk>
  KEYS[6+6g] group generation counter               {p}:gen:<gk>
  KEYS[7+6g] alert states by fingerprint (hash)     {p}:as:<gk>
  KEYS[8+6g] alert payloads by fingerprint (hash)   {p}:aa:<gk>
  KEYS[9+6g] flip history by fingerprint (hash)     {p}:fl:<gk>
  KEYS[10+6g] notification log (hash)               {p}:nf:<gk>

  ARGV[1] now (epoch ms)   ARGV[2] flip window (ms)   ARGV[3] flips kept   ARGV[4] groups
  then per group: gk, receiver, route id, group labels (JSON), owner, group_wait (ms), n,
  and its n packed alerts.

  An alert whose endsAt has passed is resolved. A resolved alert for a group that does not exist
  (or is emptied and only kept for its timer) is dropped (nothing to resolve). As in Alertmanager,
  a group that has not flushed yet is flushed at once when an alert joins it that started more
  than group_wait ago, and an emptied group that an alert fires in again runs on at its next
  group_interval tick instead of a fresh group_wait. Status changes are kept per alert in the
  group's flip history, which outlives the alert's removal for flapping damping. A group whose
  generation changes gets its flush due time in KEYS[3] (score: epoch ms), and a flush scheduler
  is woken when that is earlier than every due time before (see flush-claim.lua). Answers the
  number of groups given a new due time.
]]
local now, win, keep, ng = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])

-- <st><src><started>|<ends>|<fp length>|<fp><labels length>|<labels><payload>
local function unpackAlert(e)
  local a = string.find(e, '|', 3, true)
  local b = string.find(e, '|', a + 1, true)
  local c = string.find(e, '|', b + 1, true)
  local fl = tonumber(string.sub(e, b + 1, c - 1))
  local fp = string.sub(e, c + 1, c + fl)
  local d = string.find(e, '|', c + fl + 1, true)
  local ll = tonumber(string.sub(e, c + fl + 1, d - 1))
  return string.sub(e, 1, 1), string.sub(e, 2, 2), tonumber(string.sub(e, 3, a - 1)), tonumber(string.sub(e, a + 1, b - 1)),
    fp, string.sub(e, d + 1, d + ll), string.sub(e, d + ll + 1)
end

local function chunked(cmd, key, list)
  for s = 1, #list, 2000 do redis.call(cmd, key, unpack(list, s, math.min(s + 1999, #list))) end
end

local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')[2]
local earliest = first and tonumber(first) or math.huge
local scheduled, wake = 0, false
local a = 5
for g = 0, ng - 1 do
  local k = 5 + 6 * g
  local meta, genKey, sk, ak, fk, nk = KEYS[k], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5]
  local gk, gwait, n = ARGV[a], tonumber(ARGV[a + 5]), tonumber(ARGV[a + 6])
  local m = redis.call('HMGET', meta, 'gen', 'idle', 'flushed', 'next', 'ivl')
  local due
  local live = m[1] and not m[2]
  local items = {}
  local wait = gwait
  for j = a + 7, a + 6 + n do
    local st, src, started, ends, fp, labels, payload = unpackAlert(ARGV[j])
    if st == 'f' and ends > 0 and ends <= now then st = 'r' end
    if src == '1' then
      if st == 'r' then redis.call('HDEL', KEYS[2], fp) else redis.call('HSET', KEYS[2], fp, labels) end
    end
    if started and started + gwait < now then wait = 0 end
    if live or st == 'f' then items[#items + 1] = { fp, st, payload } end
  end
  if #items > 0 then
    local function newGen()
      local gen = redis.call('INCR', genKey)
      redis.call('EXPIRE', genKey, 2592000)
      return gen
    end
    if not m[1] then
      redis.call('HSET', meta, 'receiver', ARGV[a + 1], 'route', ARGV[a + 2], 'labels', ARGV[a + 3], 'owner', ARGV[a + 4],
        'created', now, 'gen', newGen(), 'next', now + wait)
      redis.call('SADD', KEYS[1], gk)
      due = now + wait
    elseif m[2] then
      local nxt, ivl = tonumber(m[4]) or now, tonumber(m[5]) or 0
      if nxt < now and ivl > 0 then nxt = nxt + math.ceil((now - nxt) / ivl) * ivl end
      if nxt < now then nxt = now end
      redis.call('PERSIST', meta)
      redis.call('PERSIST', nk)
      redis.call('HDEL', meta, 'idle')
      redis.call('HSET', meta, 'gen', newGen(), 'next', nxt)
      redis.call('SADD', KEYS[1], gk)
      due = nxt
    elseif not m[3] and wait == 0 and (tonumber(m[4]) or 0) > now then
      redis.call('HSET', meta, 'gen', newGen(), 'next', now)
      due = now
    end
    if due then
      redis.call('ZADD', KEYS[3], due, gk)
      scheduled = scheduled + 1
      if due < earliest then earliest = due; wake = true end
    end
    local hasFlips = redis.call('EXISTS', fk) == 1
    local fps = {}
    for x, it in ipairs(items) do fps[x] = it[1] end
    local prevs = {}
    for s = 1, #fps, 1000 do
      local got = redis.call('HMGET', sk, unpack(fps, s, math.min(s + 999, #fps)))
      for x = 1, #got do prevs[s + x - 1] = got[x] end
    end
    local states = {}; local payloads = {}; local latest = {}; local recs = {}; local flipped = {}
    for x, it in ipairs(items) do
      local fp, st = it[1], it[2]
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
        if rec then for t in string.gmatch(string.sub(rec, 3), '%d+') do if tonumber(t) > now - win then kept[#kept + 1] = t end end end
        kept[#kept + 1] = tostring(now)
        while #kept > keep do table.remove(kept, 1) end
        rec = st .. '|' .. table.concat(kept, ',')
        recs[fp] = rec
        hasFlips = true
        flipped[#flipped + 1] = fp
      end
      local state = ver .. '|' .. st
      latest[fp] = state
      states[#states + 1] = fp; states[#states + 1] = state
      payloads[#payloads + 1] = fp; payloads[#payloads + 1] = it[3]
    end
    chunked('HSET', sk, states)
    chunked('HSET', ak, payloads)
    if #flipped > 0 then
      local writes = {}
      for _, fp in ipairs(flipped) do writes[#writes + 1] = fp; writes[#writes + 1] = recs[fp] end
      chunked('HSET', fk, writes)
      if win > 0 then redis.call('PEXPIRE', fk, win) end
    end
  end
  a = a + 7 + n
end
if wake then
  redis.call('LPUSH', KEYS[4], 1)
  redis.call('LTRIM', KEYS[4], 0, 0)
end
return scheduled
