--[[
  One validation attempt, atomically: re-checks the authentication's state, then either consumes
  it (right code, exactly once) or counts a failure against the authentication and the user.
  The code itself was compared in Node in constant time; this script only acts on the result.
  KEYS[1]  the authentication record (hash)
  KEYS[2]  the user's failure record (hash: failures, waitUntilMs)
  ARGV[1]  client id of the caller (another application's record reads as missing)
  ARGV[2]  "1" when the candidate matched, else "0"
  ARGV[3]  the candidate's HMAC, hex; a match counts only if it still equals the stored one
  ARGV[4]  now, ms since the epoch (the service's clock, so tests can move it)
  ARGV[5]  consecutive user failures before waits start
  ARGV[6]  first wait, ms (doubled by each further failure)
  ARGV[7]  longest wait, ms
  ARGV[8]  how long the user's failure record lives after the last failure, ms
  KEYS[3..] (TOTP) the user's devices whose secret gives the candidate at a step near now (hashes)
  ARGV[9..] (TOTP) for KEYS[3], KEYS[4]...: that step. A device takes a step only above the last
           one it took (RFC 6238 §5.2: never the same code twice), and remembers it here, in the
           same script that consumes the authentication, so concurrent checks cannot both use it.
  Returns  {outcome, n}: validated | wrong_code (n = attempts remaining) | locked_now | not_found |
           already_validated | locked | expired | user_wait (n = ms left to wait) |
           replayed (n = attempts remaining: a device's code for a step it already took)
]]
-- 'accepted', 'replayed' or 'none': what the TOTP devices in KEYS[3..] make of their steps
local function takeDeviceStep(now)
  local replayed = false
  for i = 3, #KEYS do
    local d = redis.call('HMGET', KEYS[i], 'status', 'lastUsedStep')
    if d[1] == 'ACTIVE' then
      if tonumber(ARGV[6 + i]) > tonumber(d[2] or '-1') then
        redis.call('HSET', KEYS[i], 'lastUsedStep', ARGV[6 + i], 'lastUsedAtMs', now)
        return 'accepted'
      end
      replayed = true
    end
  end
  return replayed and 'replayed' or 'none'
end

local f = redis.call('HMGET', KEYS[1], 'clientId', 'status', 'expiresAtMs', 'attempts', 'maxAttempts', 'codeHash')
if not f[1] or f[1] ~= ARGV[1] or f[2] == 'canceled' then return {'not_found', 0} end
if f[2] == 'approved' then return {'already_validated', 0} end
if f[2] == 'locked' then return {'locked', 0} end
local now = tonumber(ARGV[4])
if now >= tonumber(f[3]) then
  redis.call('HDEL', KEYS[1], 'codeHash', 'sealed')
  return {'expired', 0}
end
local waitUntil = tonumber(redis.call('HGET', KEYS[2], 'waitUntilMs') or '0')
if waitUntil > now then return {'user_wait', waitUntil - now} end

local device = #KEYS > 2 and takeDeviceStep(ARGV[4]) or 'none'
if device == 'accepted' or (ARGV[2] == '1' and f[6] == ARGV[3]) then
  redis.call('HSET', KEYS[1], 'status', 'approved', 'finishedAtMs', ARGV[4])
  redis.call('HDEL', KEYS[1], 'codeHash', 'sealed')
  -- a success wipes the user's earlier failures (NIST 800-63B-4 3.2.2 SHOULD)
  redis.call('DEL', KEYS[2])
  return {'validated', 0}
end

local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
local failures = redis.call('HINCRBY', KEYS[2], 'failures', 1)
local threshold = tonumber(ARGV[5])
if failures >= threshold then
  local wait = math.min(tonumber(ARGV[6]) * 2 ^ (failures - threshold), tonumber(ARGV[7]))
  redis.call('HSET', KEYS[2], 'waitUntilMs', string.format('%d', now + wait))
end
redis.call('PEXPIRE', KEYS[2], ARGV[8])
local max = tonumber(f[5])
if attempts >= max then
  redis.call('HSET', KEYS[1], 'status', 'locked', 'finishedAtMs', ARGV[4])
  redis.call('HDEL', KEYS[1], 'codeHash', 'sealed')
  return {'locked_now', 0}
end
if device == 'replayed' then return {'replayed', max - attempts} end
return {'wrong_code', max - attempts}
