--[[
  The newest resolution note of an alert, in one round trip.

  KEYS[1]  the notes hash (note id → JSON)
  KEYS[2…] note indexes (sorted sets of zero-padded note ids), in order of preference
           (the alert's fingerprint, then its alertname)

  Answers [index position (1 = KEYS[2]), note JSON] for the first index whose newest note still
  exists, else false.
]]
for i = 2, #KEYS do
  local newest = redis.call('ZREVRANGE', KEYS[i], 0, 0)[1]
  if newest then
    local note = redis.call('HGET', KEYS[1], tostring(tonumber(newest)))
    if note then return { i - 1, note } end
  end
end
return false
