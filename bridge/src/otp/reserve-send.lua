--[[
  Counts one more send of an authentication's code, if allowed: re-checks the state, the user's
  wait, the send cap and the cooldown, then starts the next cooldown (doubled with every send).
  KEYS[1]  the authentication record (hash)
  KEYS[2]  the user's failure record (hash: failures, waitUntilMs)
  ARGV[1]  client id of the caller
  ARGV[2]  now, ms since the epoch
  Returns  {outcome, n, m}: reserved (n = sends counted so far, m = the previous nextResendAtMs,
           for release-send.lua) | not_found | already_validated | locked | expired |
           user_wait (n = ms) | cooldown (n = ms) | exhausted (n = ms until the code expires)
]]
local f = redis.call('HMGET', KEYS[1], 'clientId', 'status', 'expiresAtMs', 'sends', 'maxSends', 'nextResendAtMs', 'cooldownSeconds')
if not f[1] or f[1] ~= ARGV[1] or f[2] == 'canceled' then return {'not_found', 0, 0} end
if f[2] == 'approved' then return {'already_validated', 0, 0} end
if f[2] == 'locked' then return {'locked', 0, 0} end
local now = tonumber(ARGV[2])
local expiresAt = tonumber(f[3])
if now >= expiresAt then return {'expired', 0, 0} end
local waitUntil = tonumber(redis.call('HGET', KEYS[2], 'waitUntilMs') or '0')
if waitUntil > now then return {'user_wait', waitUntil - now, 0} end
local sends = tonumber(f[4])
if sends >= tonumber(f[5]) then return {'exhausted', expiresAt - now, 0} end
local nextAt = tonumber(f[6])
if nextAt > now then return {'cooldown', nextAt - now, 0} end

sends = sends + 1
local cooldown = tonumber(f[7]) * 1000 * 2 ^ (sends - 1)
redis.call('HSET', KEYS[1], 'sends', sends, 'nextResendAtMs', string.format('%d', now + cooldown))
return {'reserved', sends, nextAt}
