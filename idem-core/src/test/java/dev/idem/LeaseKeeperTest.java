package dev.idem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.memory.InMemoryIdempotencyStore;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.Fingerprint;
import dev.idem.spi.ForwardingIdempotencyStore;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class LeaseKeeperTest {

    private final Clock clock = Clock.systemUTC();
    private final InMemoryIdempotencyStore memory = new InMemoryIdempotencyStore();
    private final Map<RecordId, AtomicInteger> renewals = new ConcurrentHashMap<>();
    private final ForwardingIdempotencyStore store = new ForwardingIdempotencyStore(memory) {
        @Override
        public boolean renewLease(RecordId id, OwnerToken token, Instant leaseUntil) {
            renewals.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            return delegate.renewLease(id, token, leaseUntil);
        }
    };

    private OwnerToken claim(RecordId id) {
        Instant now = clock.instant();
        return ((ClaimResult.Claimed) memory.claim(new ClaimRequest(id, Fingerprint.EMPTY, now,
                now.plusSeconds(30), now.plusSeconds(60)))).token();
    }

    @Test
    void closedHoldsDoNotPileUpBehindOneThatStaysOpen() {
        // given: a long renewal interval (the thread ticks every 2.5 s, so it drains nothing during the test)
        try (LeaseKeeper keeper = new LeaseKeeper(clock, Duration.ofSeconds(30), Duration.ofSeconds(10))) {
            RecordId longId = new RecordId("s", "a", "long");
            LeaseKeeper.Hold longRunning = keeper.hold(store, longId, claim(longId));
            RecordId shortId = new RecordId("s", "a", "short");
            OwnerToken shortToken = claim(shortId);
            for (int i = 0; i < 10_000; i++) {
                keeper.hold(store, shortId, shortToken).close();
            }

            // when: the open hold is older than the promotion age, and more short holds come
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2 * LeaseKeeper.PROMOTE_AFTER_MILLIS));
            for (int i = 0; i < 20_000; i++) {
                keeper.hold(store, shortId, shortToken).close();
            }

            // then: the open hold moved to the renewed set and the closed ones before and after it are gone
            assertThat(keeper.recentHolds()).isLessThanOrEqualTo(2);
            assertThat(keeper.runningHolds()).isEqualTo(1);
            longRunning.close();
            assertThat(keeper.runningHolds()).isZero();
        }
    }

    @Test
    void racingHoldsAreRenewedWhileOpenAndLeaveNothingBehindOnceClosed() throws Exception {
        // given: renewal every 20 ms; four threads, each keeping every 500th hold open
        try (LeaseKeeper keeper = new LeaseKeeper(clock, Duration.ofSeconds(30), Duration.ofMillis(20))) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<LeaseKeeper.Hold>>> workers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                workers.add(pool.submit(() -> {
                    List<LeaseKeeper.Hold> open = new ArrayList<>();
                    go.await();
                    for (int i = 0; i < 20_000; i++) {
                        RecordId id = new RecordId("s", "a", "k" + thread + "-" + i);
                        LeaseKeeper.Hold hold = keeper.hold(store, id, claim(id));
                        if (i % 500 == 0) {
                            open.add(hold);
                        } else {
                            hold.close();
                        }
                    }
                    return open;
                }));
            }
            go.countDown();
            List<LeaseKeeper.Hold> open = new ArrayList<>();
            for (Future<List<LeaseKeeper.Hold>> worker : workers) {
                open.addAll(worker.get(30, TimeUnit.SECONDS));
            }
            pool.shutdown();

            // when: every hold left open has been renewed twice
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (renewalsOfOpenHolds() < open.size() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // polling an outcome, not ordering threads
            }

            // then: they all were, and closing them empties the renewed set
            assertThat(renewalsOfOpenHolds()).isEqualTo(open.size());
            open.forEach(LeaseKeeper.Hold::close);
            assertThat(keeper.runningHolds()).isZero();
            assertThat(keeper.recentHolds()).isLessThanOrEqualTo(open.size());
        }
    }

    /** How many keys of the form k{thread}-{multiple of 500} were renewed at least twice. */
    private int renewalsOfOpenHolds() {
        int count = 0;
        for (Map.Entry<RecordId, AtomicInteger> e : renewals.entrySet()) {
            String key = e.getKey().key();
            if (Integer.parseInt(key.substring(key.indexOf('-') + 1)) % 500 == 0 && e.getValue().get() >= 2) {
                count++;
            }
        }
        return count;
    }
}
