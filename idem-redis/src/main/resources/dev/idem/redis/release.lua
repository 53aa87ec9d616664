-- Deletes the owner's in-progress record (fenced by the owner token) so a retry runs again, and wakes
-- waiting duplicates (only when one flagged the record, see flag_waiter.lua).
-- KEYS[1]  the record's hash
-- ARGV     owner token, channel ('' = no notification), record digest
-- Returns  1 if deleted, 0 if the token does not own an in-progress record
local current = redis.call('HMGET', KEYS[1], 'status', 'owner', 'waiters')
if current[1] ~= 'IN_PROGRESS' or current[2] ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1])
if ARGV[2] ~= '' and current[3] == '1' then
  redis.call('PUBLISH', ARGV[2], ARGV[3])
end
return 1
