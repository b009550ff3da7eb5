--[[
  Applies one event to a message's status record, never moving it backwards.
  KEYS[1]  the record (JSON string)
  KEYS[2]  optional: the provider-id index key, set to the record's id with the record's TTL whenever the
           record exists (so a receipt can find the message even if this event was out of order)
  ARGV[1]  the event: queued | sending | attempt_failed | sent | delivered | undelivered | failed | expired
  ARGV[2]  JSON object of fields to set on the record and copy into the history entry
           (provider, providerMessageId, reason, errorCode); may be "{}"
  ARGV[3]  the time, ISO 8601
  Returns  1 applied, 0 ignored (out of order or after a final state), -1 no such record.
  Ranks: queued 0 < sending 1 < sent 2 < delivered | undelivered | failed | expired 3.
  A later "sending" (a retry) and "attempt_failed" before a send succeeds (a failed try, or a provider
  skipped while queued) are recorded without a rank change;
  "sent" may still be followed by a receipt; a final state is final.
]]
local raw = redis.call('GET', KEYS[1])
if not raw then return -1 end
local record = cjson.decode(raw)
if KEYS[2] then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 then redis.call('SET', KEYS[2], record.id, 'PX', ttl) else redis.call('SET', KEYS[2], record.id) end
end
local rank = { queued = 0, sending = 1, sent = 2, delivered = 3, undelivered = 3, failed = 3, expired = 3 }
local event = ARGV[1]
local current = rank[record.status]
if event == 'attempt_failed' then
  if current > 1 then return 0 end
else
  local next = rank[event]
  if next == nil then return redis.error_reply('unknown event ' .. event) end
  if next < current then return 0 end
  if next == current and not (event == 'sending' and record.status == 'sending') then return 0 end
  record.status = event
end
local fields = cjson.decode(ARGV[2])
local entry = { event = event, at = ARGV[3] }
for k, v in pairs(fields) do
  entry[k] = v
  if event ~= 'attempt_failed' then record[k] = v end
end
record.updatedAt = ARGV[3]
table.insert(record.history, entry)
redis.call('SET', KEYS[1], cjson.encode(record), 'KEEPTTL')
return 1
