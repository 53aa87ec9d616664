-- Claims one idempotency record for a new owner, atomically.
-- KEYS[1]  the record's hash
-- ARGV     now, fingerprint, owner token, lease_until, expires_at, scope, action, key
--          (instants are epoch milliseconds from the engine's clock; Redis' own clock is never read)
-- Returns  {1} when the record was absent and is now claimed,
--          {2} when an expired record, or an in-progress one whose lease ended with the same fingerprint,
--              was taken over,
--          {0, fingerprint, status, lease_until, expires_at, content_type, body} with the record that
--              prevents the claim (content_type and body are '' unless the record is finished).
local current = redis.call('HMGET', KEYS[1], 'fingerprint', 'status', 'lease_until', 'expires_at',
    'content_type', 'body', 'waiters')
local now = tonumber(ARGV[1])
local outcome = 1
if current[2] then
  local expired = (tonumber(current[4]) or 0) <= now
  local dead_owner = current[2] == 'IN_PROGRESS' and (tonumber(current[3]) or 0) <= now
      and current[1] == ARGV[2]
  if not (expired or dead_owner) then
    return {0, current[1] or '', current[2], current[3] or '', current[4] or '', current[5] or '', current[6] or ''}
  end
  redis.call('DEL', KEYS[1])
  outcome = 2
end
redis.call('HSET', KEYS[1], 'fingerprint', ARGV[2], 'status', 'IN_PROGRESS', 'owner', ARGV[3],
    'lease_until', ARGV[4], 'expires_at', ARGV[5], 'scope', ARGV[6], 'action', ARGV[7], 'key', ARGV[8])
-- native expiry only collects garbage: whether the record counts as expired is decided above, by expires_at
if outcome == 2 and current[7] == '1' then
  redis.call('HSET', KEYS[1], 'waiters', '1') -- duplicates still waiting on a taken-over record stay flagged
end
redis.call('PEXPIREAT', KEYS[1], ARGV[5])
return {outcome}
