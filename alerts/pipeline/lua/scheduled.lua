--[[
  Marks flush jobs as scheduled, so ingest stops re-adding them; only a group's current
  generation counts.

  KEYS[i]  group meta (hash) {p}:ag:<gk>, one per job
  ARGV[i]  the generation of the job added for that group

  Answers 0.
]]
for i = 1, #KEYS do
  if redis.call('HGET', KEYS[i], 'gen') == ARGV[i] then redis.call('HSET', KEYS[i], 'sched', ARGV[i]) end
end
return 0
