--[[
  A delivery is over without a send (starts with nflog-cas.lua).

  KEYS[1]  notification log (hash)   {p}:nf:<gk>
  KEYS[2]  group meta (hash)         {p}:ag:<gk>
  ARGV[1]  destination key   ARGV[2]  seq   ARGV[3]  log entry text ('' = none: it failed for good)

  Writes the entry (when given and the group exists: the destination shows a newer notification
  already) and clears the destination's in-flight mark up to `seq`, so the group's next flush
  decides for it again. Answers 0.
]]
if ARGV[3] ~= '' and redis.call('EXISTS', KEYS[2]) == 1 then logEntry(KEYS[1], ARGV[1], ARGV[3], tonumber(ARGV[2])) end
settle(KEYS[1], ARGV[1], tonumber(ARGV[2]))
return 0
