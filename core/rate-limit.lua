-- Sliding-window rate limit: at most ARGV[3] takes within any ARGV[2] milliseconds.
-- KEYS[1]  sorted set of the takes inside the window (member: unique take id, score: time in ms)
-- ARGV[1]  now (epoch ms)
-- ARGV[2]  window length (ms)
-- ARGV[3]  most takes allowed in the window
-- ARGV[4]  unique id of this take
-- Returns { ms to wait before a take can succeed (0: taken now), takes in the window after this call }
local key = KEYS[1]
local now = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - per)
local count = redis.call('ZCARD', key)
if count < max then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, per)
  return { 0, count + 1 }
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return { math.max(1, tonumber(oldest[2]) + per - now), count }
