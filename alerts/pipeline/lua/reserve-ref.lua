--[[
  Reserves an incident's short ref. KEYS[1] is the open groups set (it routes the call); keys {p}:ref:<candidate> are derived from the prefix ARGV[1].

  ARGV: prefix, incidentId, ttlS, then candidate refs in order.

  Answers the candidate already reserved for this incident, else the first one SET NX could take
  (with the TTL; the commit that opens the incident makes it permanent), else false.
]]
local p, id, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
for i = 4, #ARGV do if redis.call('GET', p..':ref:'..ARGV[i]) == id then return ARGV[i] end end
for i = 4, #ARGV do
  if redis.call('SET', p..':ref:'..ARGV[i], id, 'NX', 'EX', ttl) then return ARGV[i] end
end
return false
