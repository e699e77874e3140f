--[[
  After a successful delivery (starts with nflog-cas.lua).

  KEYS[1]  the incident's message ref at the destination   {p}:msg:<incident>:<dest>
  KEYS[2]  the in-flight marker of a first post            {p}:msgtry:<incident>:<dest>
  KEYS[3]  group meta (hash)                               {p}:ag:<gk>
  KEYS[4]  notification log (hash)                         {p}:nf:<gk>
  KEYS[5]  the lock of this delivery                       {p}:msglock:<incident>:<dest>
  KEYS[6…] delivery records of each alert told (lists)     {p}:dlv:<fp>
  ARGV[1]  message JSON (`{ref, seq}`)   ARGV[2]  seq   ARGV[3]  TTL (s)   ARGV[4]  destination key
  ARGV[5]  log entry text ('' = none)    ARGV[6]  log seq   ARGV[7]  delivery record JSON
  ARGV[8]  our lock token

  Stores the ref unless a newer seq is stored (compare-and-set), clears the marker, and (while
  the group exists) writes the destination's notification-log entry unless a newer one is there
  (Alertmanager's SetNotifiesStage) and clears its in-flight mark; prepends the delivery record
  to each alert's list (the last 20, for a day); releases the lock while it is still ours.
  Answers 1 when the ref was stored.
]]
local stored = redis.call('GET', KEYS[1])
local seq = tonumber(ARGV[2])
local wrote = 0
local prev = stored and cjson.decode(stored)
if not prev or (tonumber(prev.seq) or 0) <= seq then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[3]))
  wrote = 1
end
redis.call('DEL', KEYS[2])
if ARGV[5] ~= '' and redis.call('EXISTS', KEYS[3]) == 1 then
  logEntry(KEYS[4], ARGV[4], ARGV[5], tonumber(ARGV[6]))
  local ttl = redis.call('PTTL', KEYS[3])
  if ttl > 0 then redis.call('PEXPIRE', KEYS[4], ttl) end
end
settle(KEYS[4], ARGV[4], tonumber(ARGV[6]))
if redis.call('GET', KEYS[5]) == ARGV[8] then redis.call('DEL', KEYS[5]) end
for i = 6, #KEYS do
  redis.call('LPUSH', KEYS[i], ARGV[7])
  redis.call('LTRIM', KEYS[i], 0, 19)
  redis.call('EXPIRE', KEYS[i], 86400)
end
return wrote
