package dev.idem.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.Idempotency;
import dev.idem.IdempotencyConflictException;
import dev.idem.IdempotencyRequest;
import dev.idem.IdempotencyStoreException;
import dev.idem.tck.Races;
import dev.idem.testing.RedisTestCluster;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Slots move between masters ({@code redis-cli --cluster reshard}, there and back) while 8 threads run lifecycles
 * with 4 duplicates per key on a real Redis Cluster. Lettuce follows MOVED and ASK; every key's action runs once and
 * every duplicate gets the first result.
 */
class RedisClusterReshardTest {

    private static final int KEYS_PER_ROUND = 200;
    private static final int DUPLICATES = 4;

    @Test
    void lifecyclesWithDuplicatesRunOnceWhileSlotsMove() throws Exception {
        RedisTestCluster cluster = RedisTestCluster.get();
        List<Integer> masters = cluster.masterPorts();
        String prefix = "idem-reshard-" + UUID.randomUUID() + ":";
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        Map<String, Set<String>> answers = new ConcurrentHashMap<>();
        AtomicLong retried = new AtomicLong();
        try (RedisIdempotencyStore store = RedisIdempotencyStore.builder(cluster.client()).keyPrefix(prefix)
                .build()) {
            Idempotency idem = Idempotency.builder(store).build();
            CompletableFuture<Integer> moved = CompletableFuture.supplyAsync(() ->
                    cluster.reshard(masters.get(0), masters.get(1), 1500)
                            + cluster.reshard(masters.get(1), masters.get(0), 1500));
            int rounds = 0;
            while (rounds < 2 || !moved.isDone() && rounds < 40) {
                List<String> tasks = new ArrayList<>();
                for (int k = 0; k < KEYS_PER_ROUND; k++) {
                    String key = "r" + rounds + "-k" + k;
                    runs.put(key, new AtomicInteger());
                    answers.put(key, ConcurrentHashMap.newKeySet());
                    for (int d = 0; d < DUPLICATES; d++) {
                        tasks.add(key);
                    }
                }
                Collections.shuffle(tasks, new Random(rounds));
                Races.forEach(8, tasks, key -> answers.get(key).add(callUntilAnswered(idem, key, runs, retried)));
                rounds++;
            }
            int slotsMoved = moved.join();
            assertThat(slotsMoved).as("slots moved while the lifecycles ran").isEqualTo(3000);
            assertThat(runs.values()).as("executions per key").allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
            assertThat(answers.values()).as("distinct answers per key (a lost result would add one)")
                    .allSatisfy(a -> assertThat(a).hasSize(1));
            System.out.printf("REDIS-CLUSTER reshard: %d slots moved during %d keys x %d duplicates (%d rounds);"
                    + " 0 duplicate executions, 0 lost results; %d calls retried (conflict or store error)%n",
                    slotsMoved, runs.size(), DUPLICATES, rounds, retried.get());
        }
    }

    /** A caller's retries: a 409 (still running) or a store error is retried with the same key, as a client would. */
    private static String callUntilAnswered(Idempotency idem, String key, Map<String, AtomicInteger> runs,
                                            AtomicLong retried) {
        IdempotencyRequest request = IdempotencyRequest.builder("reshard.test").scope("s").key(key)
                .payload(key.getBytes(StandardCharsets.UTF_8)).build();
        for (int attempt = 0; ; attempt++) {
            try {
                return idem.execute(request, String.class, () -> {
                    runs.get(key).incrementAndGet();
                    return key + ":" + UUID.randomUUID();
                });
            } catch (IdempotencyConflictException | IdempotencyStoreException e) {
                retried.incrementAndGet();
                if (attempt == 50) {
                    throw e;
                }
            }
        }
    }
}
