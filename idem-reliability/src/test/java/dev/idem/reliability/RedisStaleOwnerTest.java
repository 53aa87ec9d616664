package dev.idem.reliability;

/** {@link StaleOwnerTest} on three instances whose records are in Redis: the stale owner's write is fenced there too. */
class RedisStaleOwnerTest extends StaleOwnerTest {

    @Override
    protected Cluster cluster() {
        return Cluster.onRedis();
    }
}
