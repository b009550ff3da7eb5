--[[
  Cancels a pending authentication: its code stops working and is forgotten. Idempotent.
  KEYS[1]  the authentication record (hash)
  ARGV[1]  client id of the caller
  ARGV[2]  now, ms since the epoch
  Returns  canceled | finished (already canceled, locked or expired: nothing to do) | not_found |
           already_validated
]]
local f = redis.call('HMGET', KEYS[1], 'clientId', 'status', 'expiresAtMs')
if not f[1] or f[1] ~= ARGV[1] then return 'not_found' end
if f[2] == 'approved' then return 'already_validated' end
if f[2] ~= 'pending' or tonumber(ARGV[2]) >= tonumber(f[3]) then return 'finished' end
redis.call('HSET', KEYS[1], 'status', 'canceled', 'finishedAtMs', ARGV[2])
redis.call('HDEL', KEYS[1], 'codeHash', 'sealed')
return 'canceled'
