package dev.idem.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.spi.IdempotencyStore;
import dev.idem.tck.IdempotencyStoreContract;
import dev.idem.testing.RedisTestCluster;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The whole store contract on a real Redis Cluster (3 masters, 3 replicas, {@link RedisTestCluster}), and the
 * records of one test run spread over every master: each record is one key, and its hash tag decides its slot.
 */
class RedisClusterStoreConformanceTest extends IdempotencyStoreContract {

    private String prefix;

    @Override
    protected IdempotencyStore createStore() {
        prefix = "idem-cluster-" + UUID.randomUUID() + ":";
        return configure(RedisIdempotencyStore.builder(RedisTestCluster.get().client())).keyPrefix(prefix).build();
    }

    /** The store's settings under test beyond the prefix: none here. */
    protected RedisIdempotencyStore.Builder configure(RedisIdempotencyStore.Builder builder) {
        return builder;
    }

    @Override
    protected void disposeStore(IdempotencyStore store) {
        if (store != null) {
            ((RedisIdempotencyStore) store).close();
        }
    }

    @Override
    protected IdempotencyStore createAnotherInstance() {
        return configure(RedisIdempotencyStore.builder(RedisTestCluster.get().client())).keyPrefix(prefix).build();
    }

    @Override
    protected int largestCarriedBody() {
        return WakeUpMessage.MAX_CARRIED_BODY_BYTES;
    }

    /** Redis expires records natively (PEXPIREAT), so pruning deletes nothing. */
    @Override
    protected boolean prunes() {
        return false;
    }

    @Test
    void recordsSpreadOverEveryMaster() {
        RedisTestCluster cluster = RedisTestCluster.get();
        List<Integer> masters = cluster.masterPorts();
        assertThat(masters).hasSize(3);
        List<Long> before = masters.stream().map(cluster::keysOn).toList();
        for (int i = 0; i < 300; i++) {
            store.claim(claimNow(newId(), fp("spread")));
        }
        for (int m = 0; m < masters.size(); m++) {
            assertThat(cluster.keysOn(masters.get(m))).as("keys on the master on port %d", masters.get(m))
                    .isGreaterThan(before.get(m) + 50);
        }
    }
}
