--[[
  Before a delivery: takes the per-(incident, destination) lock, then reads the incident's stored
  message ref at the destination and the in-flight marker of a first post; when neither exists
  (a first post is about to start) sets the marker.

  KEYS[1]  the incident's message ref at the destination   {p}:msg:<incident>:<dest>
  KEYS[2]  the in-flight marker of a first post            {p}:msgtry:<incident>:<dest>
  KEYS[3]  the lock                                        {p}:msglock:<incident>:<dest>
  ARGV[1]  now (epoch ms)   ARGV[2]  marker TTL (s)   ARGV[3]  our lock token   ARGV[4]  lock TTL (ms)

  Answers false when another delivery holds the lock, else [ref, marker] as they were (false when
  absent).
]]
if not redis.call('SET', KEYS[3], ARGV[3], 'PX', tonumber(ARGV[4]), 'NX') then return false end
local stored = redis.call('GET', KEYS[1])
local marker = redis.call('GET', KEYS[2])
if not stored and not marker then redis.call('SET', KEYS[2], ARGV[1], 'EX', tonumber(ARGV[2])) end
return { stored or false, marker or false }
