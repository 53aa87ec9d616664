-- Extends the owner's lease (fenced by the owner token); the record's expiry, stored and native, is moved
-- to at least the new lease end.
-- KEYS[1]  the record's hash
-- ARGV     owner token, lease_until (epoch milliseconds)
-- Returns  1 if renewed, 0 if the token does not own an in-progress record
local current = redis.call('HMGET', KEYS[1], 'status', 'owner', 'expires_at')
if current[1] ~= 'IN_PROGRESS' or current[2] ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'lease_until', ARGV[2])
if (tonumber(current[3]) or 0) < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'expires_at', ARGV[2])
  redis.call('PEXPIREAT', KEYS[1], ARGV[2])
end
return 1
