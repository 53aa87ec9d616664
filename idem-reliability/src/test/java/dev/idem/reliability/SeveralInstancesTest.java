package dev.idem.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Three reference-app processes on one PostgreSQL; 1000 keys with 10 duplicates each, spread at random over the
 * three at once (the duplicates of a key are in flight together): exactly one practice session per key, and every
 * duplicate gets the identical response, or a 409 that a retry then resolves.
 */
class SeveralInstancesTest {

    private static final int KEYS = 1000;
    private static final int DUPLICATES = 10;
    private static final int CALLERS = 40;

    private final Cluster cluster = Cluster.get();

    record Call(String key, int instance) {
    }

    @Test
    void thousandKeysTimesTenDuplicatesOverThreeInstancesStartExactlyThousandSessions() throws Exception {
        growConnectionPools();
        long sessionsBefore = cluster.db.count("SELECT count(*) FROM practice_sessions");
        double waitsBefore = waits();
        double[] claimsBefore = claimsPerInstance();
        Random random = new Random(42);
        List<Call> calls = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int start = 0; start < KEYS; start += CALLERS / DUPLICATES) {
            List<Call> window = new ArrayList<>(); // the duplicates of a few keys, shuffled: in flight together
            for (int k = start; k < Math.min(KEYS, start + CALLERS / DUPLICATES); k++) {
                String key = "multi-" + UUID.randomUUID();
                keys.add(key);
                for (int d = 0; d < DUPLICATES; d++) {
                    window.add(new Call(key, random.nextInt(3)));
                }
            }
            Collections.shuffle(window, random);
            calls.addAll(window);
        }

        Map<String, List<Http.Reply>> replies = new ConcurrentHashMap<>();
        AtomicInteger conflicts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Call call : calls) {
                futures.add(pool.submit(() -> {
                    Http.Settled settled = Http.postUntilSettled(cluster.instance(call.instance())
                            .uri("/api/practice-sessions"), Cluster.ALICE, call.key(), "{\"questionCount\":3}",
                            Duration.ofSeconds(30));
                    assertThat(settled.unavailable()).as("503s or dropped connections for %s", call.key()).isZero();
                    conflicts.addAndGet(settled.conflicts());
                    Http.Reply reply = settled.reply();
                    replies.computeIfAbsent(call.key(), k -> Collections.synchronizedList(new ArrayList<>()))
                            .add(reply);
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        long sessions = cluster.db.count("SELECT count(*) FROM practice_sessions") - sessionsBefore;
        assertThat(sessions).as("practice sessions started").isEqualTo(KEYS);
        for (String key : keys) {
            List<Http.Reply> perKey = replies.get(key);
            assertThat(perKey).as("replies for %s", key).hasSize(DUPLICATES);
            assertThat(perKey).allSatisfy(r -> assertThat(r.status()).as(r.body()).isEqualTo(201));
            assertThat(perKey.stream().map(Http.Reply::body).distinct()).as("bodies for %s", key).hasSize(1);
            assertThat(perKey.stream().filter(r -> !r.replayed())).as("first runs for %s", key).hasSize(1);
        }
        double[] claimsAfter = claimsPerInstance();
        long claims = 0;
        for (int i = 0; i < 3; i++) {
            long won = Math.round(claimsAfter[i] - claimsBefore[i]);
            assertThat(won).as("keys claimed on app-%d: every instance ran some first requests", i + 1).isPositive();
            claims += won;
        }
        assertThat(claims).as("claims won over the three instances: one per key").isEqualTo(KEYS);
        long lost = keys.stream().filter(key -> !cluster.recordHolds("alice", key, replies.get(key).get(0).body())).count();
        assertThat(lost).as("keys whose stored record does not hold the answer their clients got").isZero();
        long waited = Math.round(waits() - waitsBefore);
        assertThat(waited).as("duplicates that found their key in progress (they raced the first)").isPositive();
        Report.row("duplicates over 3 instances", (long) KEYS * (DUPLICATES - 1),
                sessions + " for " + KEYS + " keys", lost,
                KEYS * DUPLICATES + " requests; " + waited + " duplicates found their key in progress and waited for"
                        + " it (idem.wait); " + conflicts.get() + " answered 409 and resolved by a retry");
    }

    /**
     * An idle instance keeps 2 connections (the suite's {@code minimum-idle}), and Hikari adds connections one at a
     * time, so a burst of 40 callers right after an idle spell can wait past the suite's 1 s connection timeout and
     * get 503s that say nothing about idempotency. A burst of distinct keys first grows each pool; the test then
     * starts within the pools' 10 s idle timeout.
     */
    private void growConnectionPools() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
        try {
            List<Future<?>> warmUps = new ArrayList<>();
            for (int i = 0; i < CALLERS; i++) {
                int instance = i % 3;
                warmUps.add(pool.submit(() -> Http.postUntilSettled(cluster.instance(instance)
                        .uri("/api/practice-sessions"), Cluster.ALICE, "warm-" + UUID.randomUUID(),
                        "{\"questionCount\":3}", Duration.ofSeconds(30))));
            }
            for (Future<?> warmUp : warmUps) {
                warmUp.get(1, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Claims won on each instance (Micrometer's idem.claims). */
    private double[] claimsPerInstance() throws IOException {
        double[] claims = new double[3];
        for (int i = 0; i < 3; i++) {
            claims[i] = cluster.instance(i).meterCount("idem.claims");
        }
        return claims;
    }

    /** Waits of duplicates for a key in progress, over the three instances (Micrometer's idem.wait). */
    private double waits() throws IOException {
        double sum = 0;
        for (int i = 0; i < 3; i++) {
            sum += cluster.instance(i).meterCount("idem.wait");
        }
        return sum;
    }
}
