--[[
  Everything a flush decides on, read at one point in time in one call (so concurrent flushes'
  reads go out to Redis together).

  KEYS[1]  group meta (hash)                    {p}:ag:<gk>
  KEYS[2]  alert payloads by fingerprint (hash) {p}:aa:<gk>
  KEYS[3]  alert states by fingerprint (hash)   {p}:as:<gk>
  KEYS[4]  notification log (hash)              {p}:nf:<gk>
  KEYS[5]  flip history (hash)                  {p}:fl:<gk>
  KEYS[6]  silences (hash)                      {p}:silences
  KEYS[7]  inhibition sources (hash)            {p}:isrc
  ARGV[1]  1 to read the inhibition sources (there are inhibit rules), else 0

  Answers the HGETALL of KEYS[1..5] (flat field/value lists), the HVALS of KEYS[6] and the
  HGETALL of KEYS[7] (empty when not asked for).
]]
local out = {}
for i = 1, 5 do out[i] = redis.call('HGETALL', KEYS[i]) end
out[6] = redis.call('HVALS', KEYS[6])
out[7] = ARGV[1] == '1' and redis.call('HGETALL', KEYS[7]) or {}
return out
