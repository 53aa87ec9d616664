package dev.idem.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.idem.Idempotency;
import dev.idem.IdempotencyConflictException;
import dev.idem.IdempotencyRequest;
import dev.idem.IdempotencyStoreException;
import dev.idem.spi.RecordId;
import dev.idem.testing.RedisTestCluster;
import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Masters of a real Redis Cluster are SIGKILLed under load ({@link FailoverLoad}: 8 threads, each key called 3 times,
 * then every key once more after the last failover) and their replicas promoted, {@value #FAILOVERS} times per run:
 * alternately with the replica up to date, and with the replica cut off (SIGSTOPped and its replication link closed
 * while the master went on acknowledging writes, as a network cut between them would leave it). The load's ledger
 * counts what the failovers lost of what Redis had acknowledged, and the duplicate executions that caused. With the
 * default settings the failovers after a cut lose acknowledged writes; with
 * {@link RedisIdempotencyStore.Builder#replicaAcknowledgements} none is lost, and the only executions beyond the first
 * are of keys whose completion Redis refused (not acknowledged) before the failover.
 */
class RedisClusterFailoverTest {

    private static final int FAILOVERS = 4;
    private static final int THREADS = 8;
    private static final Duration REPLICA_TIMEOUT = Duration.ofMillis(500);

    private final RedisTestCluster cluster = RedisTestCluster.get();

    @Test
    void withDefaultSettingsAFailoverAfterALaggingReplicaLosesAcknowledgedWrites() throws Exception {
        Outcome outcome = underFailovers(RedisIdempotencyStore.builder(cluster.client()));

        outcome.print("default settings (asynchronous replication)");
        assertThat(outcome.failovers).isEqualTo(FAILOVERS);
        assertThat(outcome.acknowledgedDuringLag).as("writes acknowledged on a master while its replica lagged")
                .isPositive();
        assertThat(outcome.load.lostClaims() + outcome.load.lostCompletions())
                .as("acknowledged writes lost when a master with a lagging replica failed over").isPositive();
    }

    @Test
    void withReplicaAcknowledgementsNoAcknowledgedWriteIsLostAndOnlyRefusedCompletionsRunAgain() throws Exception {
        Outcome outcome = underFailovers(RedisIdempotencyStore.builder(cluster.client())
                .replicaAcknowledgements(1, REPLICA_TIMEOUT));

        outcome.print("replicaAcknowledgements(1, " + REPLICA_TIMEOUT.toMillis() + " ms)");
        assertThat(outcome.failovers).isEqualTo(FAILOVERS);
        assertThat(outcome.refusedDuringLag).as("writes refused on a master while its replica lagged").isPositive();
        assertThat(outcome.load.lostClaims()).as("acknowledged claims lost").isZero();
        assertThat(outcome.load.lostCompletions()).as("acknowledged completions lost").isZero();
        assertThat(outcome.load.rerunKeys()).as("keys that ran again: each had its completion refused")
                .isSubsetOf(outcome.load.refusedCompletionKeys());
    }

    @Test
    void aClaimNoReplicaAcknowledgesInTimeFailsClosedTheKeyRunsOnceInTheEndAndItsReplayNeedsNoReplica()
            throws Exception {
        int master = cluster.masterPorts().get(0);
        int replica = cluster.replicaOf(master);
        String prefix = "idem-failover-" + UUID.randomUUID() + ":";
        try (RedisIdempotencyStore store = RedisIdempotencyStore.builder(cluster.client()).keyPrefix(prefix)
                .replicaAcknowledgements(1, REPLICA_TIMEOUT).build()) {
            Idempotency idem = Idempotency.builder(store).config(FailoverLoad.config()).build();
            String key = keyOn(store, master);
            AtomicInteger runs = new AtomicInteger();
            IdempotencyRequest request = FailoverLoad.request(key);

            cluster.pause(replica);
            try {
                assertThatThrownBy(() -> idem.execute(request, String.class, () -> "run " + runs.incrementAndGet()))
                        .isInstanceOf(IdempotencyStoreException.class)
                        .hasStackTraceContaining("0 of 1 replicas acknowledged");
            } finally {
                cluster.resume(replica);
            }
            assertThat(runs).as("runs while the claim was not acknowledged").hasValue(0);

            // the claim reached the master: the key is held until its lease ends, then taken over and run once
            String answer = await().atMost(Duration.ofSeconds(20)).until(() -> {
                try {
                    return idem.execute(request, String.class, () -> "run " + runs.incrementAndGet());
                } catch (IdempotencyConflictException e) {
                    return null;
                }
            }, a -> a != null);
            assertThat(answer).isEqualTo("run 1");
            assertThat(idem.execute(request, String.class, () -> "run " + runs.incrementAndGet())).isEqualTo("run 1");
            assertThat(runs).hasValue(1);

            cluster.pause(replica);
            try { // a replay writes nothing, so it needs no replica
                assertThat(idem.execute(request, String.class, () -> "run " + runs.incrementAndGet()))
                        .as("a replay while the replica is paused").isEqualTo("run 1");
            } finally {
                cluster.resume(replica);
            }
        }
    }

    private Outcome underFailovers(RedisIdempotencyStore.Builder builder) throws Exception {
        String prefix = "idem-failover-" + UUID.randomUUID() + ":";
        try (RedisIdempotencyStore redis = builder.keyPrefix(prefix).build()) {
            FailoverLoad load = FailoverLoad.start(redis, THREADS);
            int failovers = 0;
            long acknowledgedDuringLag = 0;
            long refusedDuringLag = 0;
            for (; failovers < FAILOVERS; failovers++) {
                int master = cluster.masterPorts().get(failovers % 3);
                int replica = cluster.replicaOf(master);
                load.awaitKeys(70);
                boolean lagging = failovers % 2 == 0;
                if (lagging) { // the replica stops and loses its link: the master goes on alone
                    cluster.pause(replica);
                    cluster.dropReplicationLinks(master);
                    load.ledger.watch(id -> masterPortOf(redis, id.key()) == master);
                    await().atMost(Duration.ofSeconds(30)).until(() -> load.ledger.watchedWrites() >= 20);
                }
                cluster.kill(master);
                if (lagging) {
                    cluster.resume(replica);
                    acknowledgedDuringLag += load.ledger.watchedAcknowledged.get();
                    refusedDuringLag += load.ledger.watchedRefused.get();
                    load.ledger.unwatch();
                }
                cluster.awaitPromoted(replica);
                cluster.restart(master); // it comes back as the new master's replica
            }
            load.awaitKeys(70);
            return new Outcome(failovers, load.finish(), acknowledgedDuringLag, refusedDuringLag);
        }
    }

    /** A key of this test whose record lives on the master on {@code port}. */
    private String keyOn(RedisIdempotencyStore store, int port) {
        for (int i = 0; ; i++) {
            String key = "on-" + port + "-" + i;
            if (masterPortOf(store, key) == port) {
                return key;
            }
        }
    }

    private int masterPortOf(RedisIdempotencyStore store, String key) {
        RecordId id = new RecordId("s", "failover.test", key);
        int slot = SlotHash.getSlot(store.keyOf(id).getBytes(StandardCharsets.UTF_8));
        return cluster.client().getPartitions().getMasterBySlot(slot).getUri().getPort();
    }

    /** What one run under failovers counted, with the writes the cut-off masters acknowledged and refused. */
    private record Outcome(int failovers, FailoverLoad.Outcome load, long acknowledgedDuringLag,
                           long refusedDuringLag) {
        void print(String mode) {
            System.out.printf("REDIS-CLUSTER failover, %s: %d failovers (%d with the replica cut off), %s; while"
                            + " cut off, %d writes acknowledged, %d refused%n", mode, failovers, (failovers + 1) / 2,
                    load.summary(), acknowledgedDuringLag, refusedDuringLag);
        }
    }
}
