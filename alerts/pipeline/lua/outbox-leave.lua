--[[
  Takes deliveries out of the outbox (direct-delivery.ts): one command where two would do.

  KEYS[1]  the outbox (delivery id → lease end)     {p}:outbox
  KEYS[2]  the deliveries (delivery id → JSON)      {p}:outbox:jobs
  ARGV     the delivery ids

  Answers how many were in the outbox.
]]
redis.call('HDEL', KEYS[2], unpack(ARGV))
return redis.call('ZREM', KEYS[1], unpack(ARGV))
