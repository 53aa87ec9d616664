-- Marks an in-progress record as waited for, so that finishing or releasing it publishes a wake-up; records
-- nobody waits for never publish.
-- KEYS[1]  the record's hash
-- Returns  1 if flagged, 0 if the record is not in progress (finished, released or gone): look again now
if redis.call('HGET', KEYS[1], 'status') ~= 'IN_PROGRESS' then
  return 0
end
redis.call('HSET', KEYS[1], 'waiters', '1')
return 1
