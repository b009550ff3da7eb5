--[[
  Stores a new authentication and its expiry in one step, so no record is left without a TTL. A
  script, not MULTI: ioredis copies every defined script into each MULTI it builds.
  KEYS[1]  the authentication record (hash)
  ARGV[1]  time to live, ms
  ARGV[2…] the record's fields and values, in pairs
  Returns  1
]]
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
