--[[
  Before a delivery (claim.lua, and commit.lua for the deliveries it records): takes the
  per-(incident, destination) lock, then reads the incident's stored message ref at the
  destination and the in-flight marker of a first post; when neither exists (a first post is
  about to start) sets the marker.

  msg       the incident's message ref at the destination   {p}:msg:<incident>:<dest>
  attempt   the in-flight marker of a first post            {p}:msgtry:<incident>:<dest>
  lock      the lock                                        {p}:msglock:<incident>:<dest>
  now (epoch ms), the marker's TTL (s), our lock token, the lock's TTL (ms)

  Answers false when another delivery holds the lock, else [ref, marker] as they were (false when
  absent).
]]
local function claimMessage(msg, attempt, lock, now, ttlS, token, lockMs)
  if not redis.call('SET', lock, token, 'PX', tonumber(lockMs), 'NX') then return false end
  local stored = redis.call('GET', msg)
  local marker = redis.call('GET', attempt)
  if not stored and not marker then redis.call('SET', attempt, now, 'EX', tonumber(ttlS)) end
  return { stored or false, marker or false }
end
