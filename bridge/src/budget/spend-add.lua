--[[
  Adds a send's price to an application's spend of one UTC day and keeps the total two days. A
  script, not MULTI: ioredis copies every defined script into each MULTI it builds.
  KEYS[1]  the day's spend (string, a decimal)
  ARGV[1]  the amount to add
  ARGV[2]  how long the total is kept, seconds
  Returns  the new total, as a string
]]
local total = redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return total
