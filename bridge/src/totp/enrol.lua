--[[
  Enrols a pending device if the user has room for one, atomically: enrolments that expired are
  dropped from the index first, so only live devices count.
  KEYS[1]  the user's device index (sorted set: device id -> expiry ms, +inf once active)
  KEYS[2]  the new device (hash)
  ARGV[1]  the new device id
  ARGV[2]  now, ms since the epoch
  ARGV[3]  how long a pending enrolment lives, ms
  ARGV[4]  the most devices a user may have
  ARGV[5..] the device's fields: name, value, name, value...
  Returns  {outcome, n}: enrolled | limit_reached (n = the limit)
]]
local now = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local limit = tonumber(ARGV[4])
if redis.call('ZCARD', KEYS[1]) >= limit then return {'limit_reached', limit} end

local expiresAt = now + tonumber(ARGV[3])
redis.call('HSET', KEYS[2], unpack(ARGV, 5))
redis.call('PEXPIREAT', KEYS[2], expiresAt)
redis.call('ZADD', KEYS[1], expiresAt, ARGV[1])
-- the index lives as long as its longest-lived device: for ever once one is active
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] == 'inf' then
  redis.call('PERSIST', KEYS[1])
else
  redis.call('PEXPIREAT', KEYS[1], last[2])
end
return {'enrolled', 0}
