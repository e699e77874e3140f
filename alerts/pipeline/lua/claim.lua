--[[
  Before a delivery: claimMessage (message-claim.lua) on its keys.

  KEYS[1]  the incident's message ref at the destination   {p}:msg:<incident>:<dest>
  KEYS[2]  the in-flight marker of a first post            {p}:msgtry:<incident>:<dest>
  KEYS[3]  the lock                                        {p}:msglock:<incident>:<dest>
  ARGV[1]  now (epoch ms)   ARGV[2]  marker TTL (s)   ARGV[3]  our lock token   ARGV[4]  lock TTL (ms)
]]
return claimMessage(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
