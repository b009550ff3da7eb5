--[[
  Moves one record from its name in the single-tag layout to its new name, once, whoever gets there
  first (two bridges may start at once). Only on a single Redis: the names hash to different slots.
  KEYS[1]  the old name
  KEYS[2]  the new name
  Returns  1 moved (or merged into a record written under the new name since), 0 nothing to move
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('RENAME', KEYS[1], KEYS[2])
  return 1
end
-- an index (set, sorted set) gets the union; any other record written since is newer and wins
local kind = redis.call('TYPE', KEYS[2]).ok
local ttlOld, ttlNew = redis.call('PTTL', KEYS[1]), redis.call('PTTL', KEYS[2])
if kind == 'zset' then
  redis.call('ZUNIONSTORE', KEYS[2], 2, KEYS[2], KEYS[1], 'AGGREGATE', 'MAX')
elseif kind == 'set' then
  redis.call('SUNIONSTORE', KEYS[2], KEYS[2], KEYS[1])
end
if (kind == 'zset' or kind == 'set') and ttlOld > 0 and ttlNew > 0 then
  redis.call('PEXPIRE', KEYS[2], math.max(ttlOld, ttlNew))
end
redis.call('DEL', KEYS[1])
return 1
