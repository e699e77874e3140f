--[[
  Functions the scripts that write notification-log entries start with (the file is prepended to
  them; it touches no key of its own).

  logEntry(key, dest, text, seq): compare-and-set of one entry (`{…, "seq": n}`) in the log hash
  `key`: a newer entry is never overwritten. Answers 1 when it wrote.
  settle(key, dest, seq): clears the destination's in-flight mark (field `>` .. dest, value
  `<seq>|<epoch ms>`, set by the flush before it enqueues a send) up to `seq`.
]]
local function logEntry(key, dest, text, seq)
  local cur = redis.call('HGET', key, dest)
  if cur then
    local ok, e = pcall(cjson.decode, cur)
    if ok and type(e) == 'table' and (tonumber(e.seq) or 0) >= seq then return 0 end
  end
  redis.call('HSET', key, dest, text)
  return 1
end
local function settle(key, dest, seq)
  local mark = redis.call('HGET', key, '>'..dest)
  if mark and (tonumber(string.match(mark, '^(%d+)')) or 0) <= seq then redis.call('HDEL', key, '>'..dest) end
end
