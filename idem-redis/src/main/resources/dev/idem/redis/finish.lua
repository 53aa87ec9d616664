-- Completes or fails the owner's in-progress record (fenced by the owner token) and wakes waiting
-- duplicates (only when one flagged the record, see flag_waiter.lua). Used by both complete (status COMPLETED, the
-- encoded result) and fail (status FAILED, the encoded error). The hash keeps its native expiry (HSET does not
-- touch it).
-- KEYS[1]  the record's hash
-- ARGV     owner token, new status, content_type, body, channel ('' = no notification), record digest,
--          the largest body the message carries
-- Returns  {1, fingerprint, lease_until, expires_at} if written (what makes the finished record whole besides
--          what the caller sent), {0} if the token does not own an in-progress record
-- The message is the digest alone, or, for a body small enough, the finished record (WakeUpMessage.java):
--          digest status fingerprint lease_until expires_at content_type_length content_type body
local current = redis.call('HMGET', KEYS[1], 'status', 'owner', 'waiters', 'fingerprint', 'lease_until', 'expires_at')
if current[1] ~= 'IN_PROGRESS' or current[2] ~= ARGV[1] then
  return {0}
end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'content_type', ARGV[3], 'body', ARGV[4])
if ARGV[5] ~= '' and current[3] == '1' then
  local message = ARGV[6]
  if #ARGV[4] <= tonumber(ARGV[7]) then
    message = message .. ' ' .. ARGV[2] .. ' ' .. current[4] .. ' ' .. current[5] .. ' ' .. current[6] .. ' '
        .. #ARGV[3] .. ' ' .. ARGV[3] .. ARGV[4]
  end
  redis.call('PUBLISH', ARGV[5], message)
end
return {1, current[4], current[5], current[6]}
