-- Completes or fails the owner's in-progress record (fenced by the owner token) and wakes waiting
-- duplicates (only when one flagged the record, see flag_waiter.lua). Used by both complete (status COMPLETED, the encoded result) and fail (status FAILED, the
-- encoded error). The hash keeps its native expiry (HSET does not touch it).
-- KEYS[1]  the record's hash
-- ARGV     owner token, new status, content_type, body, channel ('' = no notification), record digest
-- Returns  1 if written, 0 if the token does not own an in-progress record
local current = redis.call('HMGET', KEYS[1], 'status', 'owner', 'waiters')
if current[1] ~= 'IN_PROGRESS' or current[2] ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'content_type', ARGV[3], 'body', ARGV[4])
if ARGV[5] ~= '' and current[3] == '1' then
  redis.call('PUBLISH', ARGV[5], ARGV[6])
end
return 1
