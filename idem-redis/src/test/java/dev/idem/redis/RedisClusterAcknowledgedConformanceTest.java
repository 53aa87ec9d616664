package dev.idem.redis;

import java.time.Duration;

/**
 * The whole store contract on the real Redis Cluster again, with every write waiting for its master's replica
 * ({@link RedisIdempotencyStore.Builder#replicaAcknowledgements}): the scripts run on the master of each key's slot
 * followed by {@code WAIT}, and every answer is the same as without it.
 *
 * <p>The replica's deadline is generous on purpose: this suite checks answers, not replication lag. With 500 ms one CI run
 * saw a replica answer late (a loaded machine, or a replica still reconnecting after another class's failover on
 * the shared cluster), and one claim got the store's correct "not acknowledged" error instead of its answer. What happens when acknowledgements do time out is {@link RedisClusterFailoverTest}'s subject.
 */
class RedisClusterAcknowledgedConformanceTest extends RedisClusterStoreConformanceTest {

    private static final Duration REPLICA_DEADLINE = Duration.ofSeconds(10);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);

    @Override
    protected RedisIdempotencyStore.Builder configure(RedisIdempotencyStore.Builder builder) {
        return builder.commandTimeout(COMMAND_TIMEOUT).replicaAcknowledgements(1, REPLICA_DEADLINE);
    }
}
