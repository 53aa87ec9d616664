-- Completes or fails the owner's in-progress record (fenced by the owner token) and wakes waiting
-- duplicates (only when one flagged the record, see flag_waiter.lua). Used by both complete (status COMPLETED, the
-- encoded result) and fail (status FAILED, the encoded error). The hash keeps its native expiry (HSET does not
-- touch it).
-- KEYS[1]  the record's hash
-- ARGV     owner token, new status, content_type, body, channel ('' = no notification), record digest,
--          the largest body the message carries, '1' when the caller wants the finished record back
-- Returns  {0} if the token does not own an in-progress record; else {1}, followed when the caller wants it by the
--          fingerprint, lease_until and expires_at (what makes the finished record whole besides what it sent)
-- The message is the digest alone, or, for a body small enough, the finished record (WakeUpMessage.java):
--          digest status fingerprint lease_until expires_at content_type_length content_type body
-- An uncontended completion (nobody flagged it, nobody in the caller's JVM waits) reads three fields, as before.
local current = redis.call('HMGET', KEYS[1], 'status', 'owner', 'waiters')
if current[1] ~= 'IN_PROGRESS' or current[2] ~= ARGV[1] then
  return {0}
end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'content_type', ARGV[3], 'body', ARGV[4])
local publish = ARGV[5] ~= '' and current[3] == '1'
local wanted = ARGV[8] == '1'
if not (publish or wanted) then
  return {1}
end
local record = redis.call('HMGET', KEYS[1], 'fingerprint', 'lease_until', 'expires_at')
if publish then
  local message = ARGV[6]
  if #ARGV[4] <= tonumber(ARGV[7]) then
    message = message .. ' ' .. ARGV[2] .. ' ' .. record[1] .. ' ' .. record[2] .. ' ' .. record[3] .. ' '
        .. #ARGV[3] .. ' ' .. ARGV[3] .. ARGV[4]
  end
  redis.call('PUBLISH', ARGV[5], message)
end
if wanted then
  return {1, record[1], record[2], record[3]}
end
return {1}
