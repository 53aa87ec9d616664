package dev.idem.redis;

import java.time.Duration;

/**
 * The whole store contract on the real Redis Cluster again, with every write waiting for its master's replica
 * ({@link RedisIdempotencyStore.Builder#replicaAcknowledgements}): the scripts run on the master of each key's slot
 * followed by {@code WAIT}, and every answer is the same as without it.
 */
class RedisClusterAcknowledgedConformanceTest extends RedisClusterStoreConformanceTest {

    @Override
    protected RedisIdempotencyStore.Builder configure(RedisIdempotencyStore.Builder builder) {
        return builder.replicaAcknowledgements(1, Duration.ofMillis(500));
    }
}
