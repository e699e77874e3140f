--[[
  Extends a lock only while we still hold it.

  KEYS[1]  the lock          ARGV[1]  our token          ARGV[2]  new TTL (ms)

  Answers 1 when extended, 0 when the lock was not ours (any more).
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
