--[[
  Releases a lock only while we still hold it.

  KEYS[1]  the lock          ARGV[1]  our token

  Answers 1 when released, 0 when the lock was not ours (any more).
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
