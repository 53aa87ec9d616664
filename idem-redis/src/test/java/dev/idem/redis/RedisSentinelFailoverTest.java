package dev.idem.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.testing.RedisTestSentinel;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The store built from a Sentinel URI ({@code redis-sentinel://host:port#master}, nothing else to configure) runs
 * through a Sentinel-managed failover: under load from 4 callers ({@link FailoverLoad}) the master is SIGKILLed, the
 * Sentinel promotes its replica, Lettuce reconnects to whichever node the Sentinel names, and the killed node comes
 * back as the new master's replica. With replica acknowledgements no acknowledged write is lost, calls are answered
 * again after the failover, and the only keys that ran twice had their completion refused.
 */
class RedisSentinelFailoverTest {

    @Test
    void lifecyclesGoOnThroughASentinelManagedFailoverAndNoAcknowledgedWriteIsLost() throws Exception {
        try (RedisTestSentinel redis = RedisTestSentinel.start()) {
            RedisClient client = RedisClient.create(redis.uri());
            try (RedisIdempotencyStore store = RedisIdempotencyStore.builder(client)
                    .keyPrefix("idem-sentinel-" + UUID.randomUUID() + ":")
                    .replicaAcknowledgements(1, Duration.ofMillis(500)).build()) {
                FailoverLoad load = FailoverLoad.start(store, 4);
                load.awaitAnswered(300);
                int master = redis.masterPort();
                int replica = redis.replicaPort();

                redis.kill(master);
                redis.awaitPromoted(replica);
                redis.restart(master); // the new master's replica: writes are acknowledged again
                load.awaitAnswered(300); // through the node the Sentinel promoted

                FailoverLoad.Outcome outcome = load.finish();
                System.out.println("REDIS-SENTINEL failover, replicaAcknowledgements(1, 500 ms): 1 failover, "
                        + outcome.summary());
                assertThat(redis.masterPort()).as("the master after the failover").isEqualTo(replica);
                assertThat(outcome.lostClaims()).as("acknowledged claims lost").isZero();
                assertThat(outcome.lostCompletions()).as("acknowledged completions lost").isZero();
                assertThat(outcome.rerunKeys()).as("keys that ran again: each had its completion refused")
                        .isSubsetOf(outcome.refusedCompletionKeys());
            } finally {
                client.shutdown();
            }
        }
    }
}
