--[[
  Ack by ref. KEYS[1] is the ref key (it routes the call); the keys are derived from the prefix ARGV[1]: {p}:ref:<ref>, {p}:inc:<incident>,
  {p}:ag:<gk>, {p}:due and {p}:due:wake.

  ARGV: prefix, ref, who, at (epoch ms).

  Marks the open incident and its group acked and brings the group's flush forward to `at` (and
  wakes a flush scheduler), so its message shows the ack at once. Answers [status, gk] (status
  ok | unknown | closed).
]]
local p, ref, who, at = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local id = redis.call('GET', p..':ref:'..ref)
if not id then return {'unknown', ''} end
local inc = p..':inc:'..id
local v = redis.call('HMGET', inc, 'gk', 'closedAt')
if not v[1] or v[2] then return {'closed', v[1] or ''} end
local meta = p..':ag:'..v[1]
if redis.call('HGET', meta, 'incident') ~= id then return {'closed', v[1]} end
redis.call('HSET', inc, 'ackedBy', who, 'ackedAt', at)
redis.call('HSET', meta, 'ackedBy', who, 'ackedAt', at)
local cur = redis.call('ZSCORE', p..':due', v[1])
if cur and tonumber(cur) > tonumber(at) then
  redis.call('ZADD', p..':due', at, v[1])
  redis.call('LPUSH', p..':due:wake', 1)
  redis.call('LTRIM', p..':due:wake', 0, 0)
end
return {'ok', v[1]}
