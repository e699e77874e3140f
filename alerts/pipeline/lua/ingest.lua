--[[
  Ingest: upserts packed alerts (see ingest-pack.ts) into their aggregation groups.

  KEYS[1]  open groups (set)                      {p}:groups
  KEYS[2]  inhibition sources by fingerprint      {p}:isrc
  then four keys per group, in ARGV order:
  KEYS[3+4g] group meta (hash)                    {p}:ag:<gk>
  KEYS[4+4g] group generation counter             {p}:gen:<gk>
  KEYS[5+4g] alert states by fingerprint (hash)   {p}:as:<gk>
  KEYS[6+4g] alert payloads by fingerprint (hash) {p}:aa:<gk>

  ARGV[1] now (epoch ms)   ARGV[2] flip window (ms)   ARGV[3] flips kept   ARGV[4] groups
  then per group: gk, receiver, route id, group labels (JSON), owner, group_wait (ms), n,
  and its n packed alerts.

  An alert whose endsAt has passed is resolved; a resolved alert for a group that does not exist is
  dropped (nothing to resolve); a new group flushes after group_wait, at once when one of its
  alerts started more than group_wait ago (as in Alertmanager). Answers [gk, gen, nextFlushAt, …]
  for every touched group whose current generation's flush job is not known to be scheduled
  (`sched` ≠ `gen`).
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

local out = {}
local a = 5
for g = 0, ng - 1 do
  local meta, genKey, sk, ak = KEYS[3 + 4 * g], KEYS[4 + 4 * g], KEYS[5 + 4 * g], KEYS[6 + 4 * g]
  local gk, gwait, n = ARGV[a], tonumber(ARGV[a + 5]), tonumber(ARGV[a + 6])
  local exists = redis.call('EXISTS', meta) == 1
  local items = {}
  local wait = gwait
  for j = a + 7, a + 6 + n do
    local st, src, started, ends, fp, labels, payload = unpackAlert(ARGV[j])
    if st == 'f' and ends > 0 and ends <= now then st = 'r' end
    if src == '1' then
      if st == 'r' then redis.call('HDEL', KEYS[2], fp) else redis.call('HSET', KEYS[2], fp, labels) end
    end
    if started and started + gwait < now then wait = 0 end
    if exists or st == 'f' then items[#items + 1] = { fp, st, payload } end
  end
  if #items > 0 then
    if not exists then
      local gen = redis.call('INCR', genKey)
      redis.call('EXPIRE', genKey, 2592000)
      redis.call('HSET', meta, 'receiver', ARGV[a + 1], 'route', ARGV[a + 2], 'labels', ARGV[a + 3], 'owner', ARGV[a + 4],
        'created', now, 'gen', gen, 'next', now + wait)
      redis.call('SADD', KEYS[1], gk)
    end
    local v = redis.call('HMGET', meta, 'gen', 'next', 'sched')
    if v[1] ~= v[3] then out[#out + 1] = gk; out[#out + 1] = v[1]; out[#out + 1] = v[2] end
    local fps = {}
    for x, it in ipairs(items) do fps[x] = it[1] end
    local prevs = {}
    for s = 1, #fps, 1000 do
      local got = redis.call('HMGET', sk, unpack(fps, s, math.min(s + 999, #fps)))
      for x = 1, #got do prevs[s + x - 1] = got[x] end
    end
    local states = {}; local payloads = {}; local latest = {}
    for x, it in ipairs(items) do
      local fp, st = it[1], it[2]
      local prev = latest[fp] or prevs[x]
      local ver, flips = 1, ''
      if prev then
        local pv, pst, pf = string.match(prev, '^(%d+)|(%a)|(.*)$')
        ver = tonumber(pv) + 1
        flips = pf
        if pst ~= st then
          local kept = {}
          for t in string.gmatch(flips, '%d+') do if tonumber(t) > now - win then kept[#kept + 1] = t end end
          kept[#kept + 1] = tostring(now)
          while #kept > keep do table.remove(kept, 1) end
          flips = table.concat(kept, ',')
        end
      end
      local state = ver .. '|' .. st .. '|' .. flips
      latest[fp] = state
      states[#states + 1] = fp; states[#states + 1] = state
      payloads[#payloads + 1] = fp; payloads[#payloads + 1] = it[3]
    end
    chunked('HSET', sk, states)
    chunked('HSET', ak, payloads)
  end
  a = a + 7 + n
end
return out
