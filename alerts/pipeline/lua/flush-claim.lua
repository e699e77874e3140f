--[[
  Claims groups whose flush is due, for one flush scheduler: each claimed group's due time moves
  to the end of the lease, so no other scheduler takes it meanwhile and a scheduler that dies
  with it leaves it due again when the lease ends. The flush's commit replaces the lease with the
  next group_interval tick (or removes the group when it emptied).

  KEYS[1]  flush due times (sorted set, gk → epoch ms)   {p}:due
  KEYS[2]  wake-up of the flush schedulers (list)        {p}:due:wake
  ARGV[1]  now (epoch ms)   ARGV[2]  lease (ms)   ARGV[3]  most groups to claim

  Answers [claimed groups, earliest due time left (false when none)]. When it claimed as many as
  it could take and more are due, it leaves a wake-up for another scheduler.
]]
local now, lease, max = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local gks = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, max)
for _, gk in ipairs(gks) do redis.call('ZADD', KEYS[1], now + lease, gk) end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2] or false
if #gks == max and first and tonumber(first) <= now then
  redis.call('LPUSH', KEYS[2], 1)
  redis.call('LTRIM', KEYS[2], 0, 0)
end
return { gks, first }
