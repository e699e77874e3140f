--[[
  A claimed flush ended without a commit: the group is gone or idle (it leaves the due set), or
  the flush failed (it is due again at `retryAt`, unless it is due sooner already).

  KEYS[1]  flush due times (sorted set)   {p}:due
  KEYS[2]  group meta (hash)              {p}:ag:<gk>
  ARGV[1]  gk   ARGV[2]  retryAt (epoch ms; '' after a flush that found the group gone or idle)

  Answers 1 when the group left the due set.
]]
if redis.call('EXISTS', KEYS[2]) == 0 or redis.call('HEXISTS', KEYS[2], 'idle') == 1 then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
if ARGV[2] == '' then return 0 end
local cur = redis.call('ZSCORE', KEYS[1], ARGV[1])
if cur and tonumber(cur) > tonumber(ARGV[2]) then redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) end
return 0
