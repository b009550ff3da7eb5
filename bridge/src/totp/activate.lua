--[[
  Activates a pending device with its first right code, or counts a wrong one, atomically: a device
  is activated once, and too many wrong codes drop the enrolment (its secret may have leaked).
  KEYS[1]  the device (hash)
  KEYS[2]  the user's device index (sorted set: device id -> expiry ms, +inf once active)
  ARGV[1]  the device id
  ARGV[2]  client id of the caller (another application's device reads as missing)
  ARGV[3]  the time step the code matched, or "" when it matched none
  ARGV[4]  now, ms since the epoch
  ARGV[5]  wrong codes allowed before the enrolment is dropped
  Returns  {outcome, n}: activated | wrong_code (n = attempts remaining) | dropped | not_found |
           already_active
]]
local f = redis.call('HMGET', KEYS[1], 'clientId', 'status')
if not f[1] or f[1] ~= ARGV[2] then return {'not_found', 0} end
-- an enrolment past its time is gone by the service's clock even before Redis expires it
local expiresAt = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not expiresAt or (expiresAt ~= 'inf' and tonumber(expiresAt) <= tonumber(ARGV[4])) then
  return {'not_found', 0}
end
if f[2] == 'ACTIVE' then return {'already_active', 0} end

if ARGV[3] ~= '' then
  -- the activation code's step counts as used: it cannot sign in a second time
  redis.call('HSET', KEYS[1], 'status', 'ACTIVE', 'activatedAtMs', ARGV[4], 'lastUsedStep', ARGV[3])
  redis.call('PERSIST', KEYS[1])
  redis.call('ZADD', KEYS[2], 'XX', '+inf', ARGV[1])
  redis.call('PERSIST', KEYS[2])
  return {'activated', 0}
end

local attempts = redis.call('HINCRBY', KEYS[1], 'activationAttempts', 1)
local max = tonumber(ARGV[5])
if attempts >= max then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  return {'dropped', 0}
end
return {'wrong_code', max - attempts}
