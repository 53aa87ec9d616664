package dev.idem.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.idem.Idempotency;
import dev.idem.IdempotencyConfig;
import dev.idem.IdempotencyConflictException;
import dev.idem.IdempotencyRequest;
import dev.idem.IdempotencyStoreException;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.ForwardingIdempotencyStore;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import dev.idem.spi.RecordStatus;
import dev.idem.spi.StoredRecord;
import dev.idem.spi.StoredResult;
import dev.idem.tck.Races;
import dev.idem.testing.RedisTestCluster;
import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Masters of a real Redis Cluster are SIGKILLed under load (8 threads, each key called 3 times, then every key once
 * more after the last failover) and their replicas promoted, {@value #FAILOVERS} times per run: alternately with the
 * replica up to date, and with the replica cut off (SIGSTOPped and its replication link closed while the master went
 * on acknowledging writes, as a network cut between them would leave it). A ledger around the store counts what a failover lost of what Redis had acknowledged:
 * claims (a later fresh claim of the same key) and completions (a later claim, or a final read that does not hold the
 * stored result), and the duplicate executions they cause. With the default settings the lagging failovers lose
 * acknowledged writes; with {@link RedisIdempotencyStore.Builder#replicaAcknowledgements} none is lost, and the only
 * executions beyond the first are of keys whose completion Redis refused (not acknowledged) before the failover.
 */
class RedisClusterFailoverTest {

    private static final int FAILOVERS = 4;
    private static final int THREADS = 8;
    private static final int CALLS_PER_KEY = 3;
    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final Duration REPLICA_TIMEOUT = Duration.ofMillis(500);

    private final RedisTestCluster cluster = RedisTestCluster.get();

    @Test
    void withDefaultSettingsAFailoverAfterALaggingReplicaLosesAcknowledgedWrites() throws Exception {
        Outcome outcome = underFailovers(RedisIdempotencyStore.builder(cluster.client()));

        outcome.print("default settings (asynchronous replication)");
        assertThat(outcome.failovers).isEqualTo(FAILOVERS);
        assertThat(outcome.acknowledgedDuringLag).as("writes acknowledged on a master while its replica lagged")
                .isPositive();
        assertThat(outcome.lostClaims + outcome.lostCompletions)
                .as("acknowledged writes lost when a master with a lagging replica failed over").isPositive();
    }

    @Test
    void withReplicaAcknowledgementsNoAcknowledgedWriteIsLostAndOnlyRefusedCompletionsRunAgain() throws Exception {
        Outcome outcome = underFailovers(RedisIdempotencyStore.builder(cluster.client())
                .replicaAcknowledgements(1, REPLICA_TIMEOUT));

        outcome.print("replicaAcknowledgements(1, " + REPLICA_TIMEOUT.toMillis() + " ms)");
        assertThat(outcome.failovers).isEqualTo(FAILOVERS);
        assertThat(outcome.refusedDuringLag).as("writes refused on a master while its replica lagged").isPositive();
        assertThat(outcome.lostClaims).as("acknowledged claims lost").isZero();
        assertThat(outcome.lostCompletions).as("acknowledged completions lost").isZero();
        assertThat(outcome.rerunKeys).as("keys that ran again: each had its completion refused")
                .isSubsetOf(outcome.refusedCompletionKeys);
    }

    @Test
    void aClaimNoReplicaAcknowledgesInTimeFailsClosedAndTheKeyRunsOnceInTheEnd() throws Exception {
        int master = cluster.masterPorts().get(0);
        int replica = cluster.replicaOf(master);
        String prefix = "idem-failover-" + UUID.randomUUID() + ":";
        try (RedisIdempotencyStore store = RedisIdempotencyStore.builder(cluster.client()).keyPrefix(prefix)
                .replicaAcknowledgements(1, REPLICA_TIMEOUT).build()) {
            Idempotency idem = Idempotency.builder(store).config(config()).build();
            String key = keyOn(store, master);
            AtomicInteger runs = new AtomicInteger();
            IdempotencyRequest request = request(key);

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
        }
    }

    private Outcome underFailovers(RedisIdempotencyStore.Builder builder) throws Exception {
        String prefix = "idem-failover-" + UUID.randomUUID() + ":";
        try (RedisIdempotencyStore redis = builder.keyPrefix(prefix).build()) {
            Ledger ledger = new Ledger(redis);
            Idempotency idem = Idempotency.builder(ledger).config(config()).build();
            Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
            AtomicLong sequence = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService load = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                workers.add(load.submit(() -> {
                    while (!stop.get()) {
                        String key = "f" + sequence.incrementAndGet();
                        runs.put(key, new AtomicInteger());
                        for (int call = 0; call < CALLS_PER_KEY; call++) {
                            callOnce(idem, key, runs); // the first runs it, the immediate retries replay it
                        }
                    }
                }));
            }
            int failovers = 0;
            long acknowledgedDuringLag = 0;
            long refusedDuringLag = 0;
            try {
                for (; failovers < FAILOVERS; failovers++) {
                    int master = cluster.masterPorts().get(failovers % 3);
                    int replica = cluster.replicaOf(master);
                    long calls = sequence.get();
                    await().atMost(Duration.ofSeconds(30)).until(() -> sequence.get() > calls + 200);
                    boolean lagging = failovers % 2 == 0;
                    if (lagging) { // the replica stops and loses its link: the master goes on alone
                        cluster.pause(replica);
                        cluster.dropReplicationLinks(master);
                        ledger.watch(redis, master);
                        await().atMost(Duration.ofSeconds(30)).until(() -> ledger.watchedWrites() >= 20);
                    }
                    cluster.kill(master);
                    if (lagging) {
                        cluster.resume(replica);
                        acknowledgedDuringLag += ledger.watchedAcknowledged.get();
                        refusedDuringLag += ledger.watchedRefused.get();
                        ledger.unwatch();
                    }
                    cluster.awaitPromoted(replica);
                    cluster.restart(master); // it comes back as the new master's replica
                }
                long calls = sequence.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> sequence.get() > calls + 200);
            } finally {
                stop.set(true);
                load.shutdown();
            }
            for (Future<?> worker : workers) {
                worker.get(60, TimeUnit.SECONDS);
            }
            // every key once more after the last failover, as a late client retry would
            Races.forEach(THREADS, new ArrayList<>(runs.keySet()), key -> callUntilAnswered(idem, key, runs));
            ledger.checkEveryCompletionIsStillThere();
            List<String> rerun = runs.entrySet().stream().filter(e -> e.getValue().get() > 1).map(Map.Entry::getKey)
                    .toList();
            long duplicates = runs.values().stream().mapToLong(n -> Math.max(0, n.get() - 1)).sum();
            return new Outcome(failovers, runs.size(), duplicates, rerun, ledger.lostClaims.get(),
                    ledger.lostCompletions.get(), ledger.refusedCompletionKeys.keySet(), acknowledgedDuringLag,
                    refusedDuringLag);
        }
    }

    private static IdempotencyConfig config() {
        return IdempotencyConfig.builder().lease(LEASE).maxWait(Duration.ofMillis(300)).build();
    }

    private static IdempotencyRequest request(String key) {
        return IdempotencyRequest.builder("failover.test").scope("s").key(key)
                .payload(key.getBytes(StandardCharsets.UTF_8)).build();
    }

    /** One call; a store error or a conflict (the key's master is failing over) is left to the later retries. */
    private static void callOnce(Idempotency idem, String key, Map<String, AtomicInteger> runs) {
        try {
            idem.execute(request(key), String.class, () -> key + ":" + runs.get(key).incrementAndGet());
        } catch (IdempotencyStoreException | IdempotencyConflictException e) {
            // the final pass retries every key
        }
    }

    private static void callUntilAnswered(Idempotency idem, String key, Map<String, AtomicInteger> runs) {
        for (int attempt = 0; ; attempt++) {
            try {
                idem.execute(request(key), String.class, () -> key + ":" + runs.get(key).incrementAndGet());
                return;
            } catch (IdempotencyStoreException | IdempotencyConflictException e) {
                if (attempt == 100) {
                    throw e;
                }
            }
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

    /** What one run under failovers counted. */
    private record Outcome(int failovers, int keys, long duplicates, List<String> rerunKeys, long lostClaims,
                           long lostCompletions, java.util.Set<String> refusedCompletionKeys,
                           long acknowledgedDuringLag, long refusedDuringLag) {
        void print(String mode) {
            System.out.printf("REDIS-CLUSTER failover, %s: %d failovers (%d with a lagging replica), %d keys;"
                            + " acknowledged writes lost: %d claims, %d completions; %d duplicate executions (%d keys)"
                            + "; completions refused: %d; during the lags %d writes acknowledged, %d refused%n",
                    mode, failovers, (failovers + 1) / 2, keys, lostClaims, lostCompletions, duplicates,
                    rerunKeys.size(), refusedCompletionKeys.size(), acknowledgedDuringLag, refusedDuringLag);
        }
    }

    /**
     * The store as the engine sees it, with a count of what Redis acknowledged and later lost: a fresh claim of a key
     * whose acknowledged claim was never finished is a lost claim; a claim, or a final read, after an acknowledged
     * completion that does not find it is a lost completion. Thread-safe.
     */
    private final class Ledger extends ForwardingIdempotencyStore {
        private final Map<String, Entry> entries = new ConcurrentHashMap<>();
        private final Map<String, Boolean> refusedCompletionKeys = new ConcurrentHashMap<>();
        private final AtomicLong lostClaims = new AtomicLong();
        private final AtomicLong lostCompletions = new AtomicLong();
        private final AtomicLong watchedAcknowledged = new AtomicLong();
        private final AtomicLong watchedRefused = new AtomicLong();
        private volatile RedisIdempotencyStore watchedStore;
        private volatile int watchedPort = -1;

        /** One key's acknowledged state. */
        private static final class Entry {
            boolean claimed;
            StoredResult completed;
        }

        Ledger(RedisIdempotencyStore delegate) {
            super(delegate);
        }

        void watch(RedisIdempotencyStore store, int port) {
            watchedAcknowledged.set(0);
            watchedRefused.set(0);
            watchedStore = store;
            watchedPort = port;
        }

        void unwatch() {
            watchedPort = -1;
        }

        long watchedWrites() {
            return watchedAcknowledged.get() + watchedRefused.get();
        }

        @Override
        public ClaimResult claim(ClaimRequest request) {
            ClaimResult result = written(request.id(), () -> super.claim(request));
            if (result instanceof ClaimResult.Claimed claimed) {
                Entry entry = entries.computeIfAbsent(request.id().key(), k -> new Entry());
                synchronized (entry) {
                    if (entry.completed != null) {
                        lostCompletions.incrementAndGet();
                        entry.completed = null;
                    } else if (entry.claimed && !claimed.takeover()) {
                        lostClaims.incrementAndGet();
                    }
                    entry.claimed = true;
                }
            }
            return result;
        }

        @Override
        public boolean complete(RecordId id, OwnerToken token, StoredResult result) {
            boolean written;
            try {
                written = written(id, () -> super.complete(id, token, result));
            } catch (RuntimeException e) {
                refusedCompletionKeys.put(id.key(), true);
                throw e;
            }
            if (written) {
                Entry entry = entries.computeIfAbsent(id.key(), k -> new Entry());
                synchronized (entry) {
                    entry.completed = result;
                }
            }
            return written;
        }

        /** After the final pass: every acknowledged completion must still be the key's stored result. */
        void checkEveryCompletionIsStillThere() {
            Instant now = Instant.now();
            entries.forEach((key, entry) -> {
                if (entry.completed == null) {
                    return;
                }
                Optional<StoredRecord> stored = find(new RecordId("s", "failover.test", key), now);
                boolean holds = stored.isPresent() && stored.get().status() == RecordStatus.COMPLETED
                        && Arrays.equals(stored.get().result().body(), entry.completed.body());
                if (!holds) {
                    lostCompletions.incrementAndGet();
                }
            });
        }

        private <R> R written(RecordId id, java.util.function.Supplier<R> write) {
            boolean watched = watchedPort >= 0 && masterPortOf(watchedStore, id.key()) == watchedPort;
            try {
                R result = write.get();
                if (watched) {
                    watchedAcknowledged.incrementAndGet();
                }
                return result;
            } catch (RuntimeException e) {
                if (watched) {
                    watchedRefused.incrementAndGet();
                }
                throw e;
            }
        }
    }
}
