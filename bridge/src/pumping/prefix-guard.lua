--[[
  The SMS-pumping guard of one (application, destination prefix), atomically. Both keys carry the
  application's hash tag ({pump:<clientId>}), so on a Redis Cluster they share a slot.
  KEYS[1]  the prefix's sliding window: a hash of per-bucket counts, "s:<bucket>" sends,
           "v:<bucket>" validations
  KEYS[2]  the application's quarantines: a sorted set, member = prefix, score = quarantined until (ms)
  ARGV[1]  mode: "send" | "validated"
  ARGV[2]  the destination prefix (+88234)
  ARGV[3]  now, ms since the epoch
  ARGV[4]  a bucket's length, ms
  ARGV[5]  buckets in the window
  ARGV[6]  sends in the window before the conversion is judged
  ARGV[7]  validated / sent below which the prefix is quarantined, 0-1
  ARGV[8]  how long a quarantine lasts, ms
  Returns  {"ok", 0} | {"quarantined", msLeft} | {"tripped", quarantineMs}
]]
local mode, prefix = ARGV[1], ARGV[2]
local now, bucketMs, buckets = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local bucket = math.floor(now / bucketMs)
local windowMs = bucketMs * buckets

if mode == 'validated' then
  redis.call('HINCRBY', KEYS[1], 'v:' .. bucket, 1)
  redis.call('PEXPIRE', KEYS[1], windowMs)
  return {'ok', 0}
end

redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local untilMs = redis.call('ZSCORE', KEYS[2], prefix)
if untilMs then
  return {'quarantined', tonumber(untilMs) - now}
end

local first = bucket - buckets + 1
local sends, validated = 0, 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local kind, b = string.match(fields[i], '^(%a):(%d+)$')
  if tonumber(b) < first then
    redis.call('HDEL', KEYS[1], fields[i])
  elseif kind == 's' then
    sends = sends + tonumber(fields[i + 1])
  else
    validated = validated + tonumber(fields[i + 1])
  end
end

if sends >= tonumber(ARGV[6]) and validated < tonumber(ARGV[7]) * sends then
  local quarantineMs = tonumber(ARGV[8])
  redis.call('ZADD', KEYS[2], now + quarantineMs, prefix)
  if redis.call('PTTL', KEYS[2]) < quarantineMs then
    redis.call('PEXPIRE', KEYS[2], quarantineMs)
  end
  -- After a quarantine the prefix starts over: its old sends are not held against it again.
  redis.call('DEL', KEYS[1])
  return {'tripped', quarantineMs}
end

redis.call('HINCRBY', KEYS[1], 's:' .. bucket, 1)
redis.call('PEXPIRE', KEYS[1], windowMs)
return {'ok', 0}
