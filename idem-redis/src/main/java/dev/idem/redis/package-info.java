/**
 * The Redis store: {@link dev.idem.redis.RedisIdempotencyStore} (Lettuce, standalone or cluster), one hash per
 * record under a cluster-safe hash tag, one Lua script per multi-step operation ({@code claim}, {@code finish}
 * for complete and fail, {@code release}, {@code renew}, all in {@code dev/idem/redis/*.lua}), native expiry
 * instead of pruning, and pub/sub wake-ups for waiting duplicates across application instances.
 */
package dev.idem.redis;
