--[[
  Takes back a send counted by reserve-send.lua whose message could not be queued, so a failed
  send neither spends the cap nor starts a cooldown. Does nothing if a later send was counted since.
  KEYS[1]  the authentication record (hash)
  ARGV[1]  the send count the reservation produced
  ARGV[2]  the nextResendAtMs before the reservation
  Returns  1 released, 0 left alone
]]
if redis.call('HGET', KEYS[1], 'sends') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'sends', tonumber(ARGV[1]) - 1, 'nextResendAtMs', ARGV[2])
return 1
