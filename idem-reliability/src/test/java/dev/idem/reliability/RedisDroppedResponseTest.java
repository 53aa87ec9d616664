package dev.idem.reliability;

/**
 * {@link DroppedResponseTest} on three instances whose records are in Redis (every route two-phase): each retry gets
 * the lost response from Redis, and nothing runs twice.
 */
class RedisDroppedResponseTest extends DroppedResponseTest {

    @Override
    protected Cluster cluster() {
        return Cluster.onRedis();
    }
}
