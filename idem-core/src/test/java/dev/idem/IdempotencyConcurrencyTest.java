package dev.idem;

import dev.idem.spi.ForwardingIdempotencyStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.idem.memory.InMemoryIdempotencyStore;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import dev.idem.spi.RecordStatus;
import dev.idem.spi.SignalingWaiter;
import dev.idem.spi.StoredRecord;
import dev.idem.spi.StoredResult;
import dev.idem.spi.Waiter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class IdempotencyConcurrencyTest {

    private static final String ACTION = "payment.capture";
    private static final String KEY = "k-1";
    private static final RecordId ID = new RecordId("u1", ACTION, KEY);

    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final InMemoryIdempotencyStore memory = new InMemoryIdempotencyStore();
    private final AtomicInteger runs = new AtomicInteger();

    @AfterEach
    void shutdown() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    private static IdempotencyRequest request() {
        return IdempotencyRequest.builder(ACTION).scope("u1").key(KEY)
                .payload("{\"amount\":100}".getBytes(StandardCharsets.UTF_8)).build();
    }

    /** An action that signals {@code started}, then blocks until {@code release} opens, then returns {@code result}. */
    private IdempotentAction<String> blocking(CountDownLatch started, CountDownLatch release, String result) {
        return () -> {
            runs.incrementAndGet();
            started.countDown();
            if (!release.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test never released the action");
            }
            return result;
        };
    }

    @Test
    void duplicateArrivingWhileTheFirstRunsWaitsAndGetsTheFirstResult() throws Exception {
        // given: a store that tells the test when the duplicate starts waiting
        CountDownLatch duplicateWaiting = new CountDownLatch(1);
        ForwardingIdempotencyStore store = new ForwardingIdempotencyStore(memory) {
            @Override
            public Waiter waiter() {
                return id -> {
                    Waiter.Handle handle = delegate.waiter().register(id);
                    duplicateWaiting.countDown();
                    return handle;
                };
            }
        };
        CountingListener listener = new CountingListener();
        try (Idempotency idem = Idempotency.builder(store).listener(listener)
                .config(IdempotencyConfig.builder().maxWait(Duration.ofSeconds(10)).build()).build()) {
            CountDownLatch firstStarted = new CountDownLatch(1);
            CountDownLatch releaseFirst = new CountDownLatch(1);
            Future<String> first = pool.submit(
                    () -> idem.execute(request(), String.class, blocking(firstStarted, releaseFirst, "captured")));
            assertThat(firstStarted.await(5, TimeUnit.SECONDS)).isTrue();

            // when: a duplicate arrives while the first still runs, then the first finishes
            Future<IdempotentOutcome<String>> duplicate = pool.submit(() -> idem.executeForOutcome(
                    request(), String.class, () -> "duplicate ran #" + runs.incrementAndGet()));
            assertThat(duplicateWaiting.await(5, TimeUnit.SECONDS)).isTrue();
            releaseFirst.countDown();

            // then
            assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("captured");
            IdempotentOutcome<String> outcome = duplicate.get(5, TimeUnit.SECONDS);
            assertThat(outcome.value()).isEqualTo("captured");
            assertThat(outcome.replayed()).isTrue();
            assertThat(runs).hasValue(1);
            assertThat(listener.count("onWaited")).isEqualTo(1);
            assertThat(memory.waiter()).isInstanceOfSatisfying(dev.idem.spi.SignalingWaiter.class,
                    w -> assertThat(w.registeredHandles()).isZero());
        }
    }

    @Test
    void aDuplicateWokenWithTheFinishedRecordReplaysItWithoutReadingTheStoreAgain() throws Exception {
        // given: a push channel that carries the completed record, and a count of the store's reads
        SignalingWaiter carrying = new SignalingWaiter();
        CountDownLatch duplicateAwaits = new CountDownLatch(1);
        AtomicInteger finds = new AtomicInteger();
        ForwardingIdempotencyStore store = new ForwardingIdempotencyStore(memory) {
            @Override
            public Waiter waiter() {
                return id -> {
                    Waiter.Handle handle = carrying.register(id);
                    return new Waiter.Handle() {
                        @Override
                        public boolean await(Duration timeout) throws InterruptedException {
                            duplicateAwaits.countDown();
                            return handle.await(timeout);
                        }

                        @Override
                        public Optional<StoredRecord> takeCarried() {
                            return handle.takeCarried();
                        }

                        @Override
                        public void close() {
                            handle.close();
                        }
                    };
                };
            }

            @Override
            public Optional<StoredRecord> find(RecordId id, Instant now) {
                finds.incrementAndGet();
                return delegate.find(id, now);
            }

            @Override
            public boolean complete(RecordId id, OwnerToken token, StoredResult result) {
                boolean done = delegate.complete(id, token, result);
                StoredRecord committed = delegate.find(id, Instant.now()).orElseThrow();
                carrying.signal(id.digest(), registered -> committed);
                return done;
            }
        };
        try (Idempotency idem = Idempotency.builder(store)
                .config(IdempotencyConfig.builder().maxWait(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofSeconds(5)).build()).build()) {
            CountDownLatch firstStarted = new CountDownLatch(1);
            CountDownLatch releaseFirst = new CountDownLatch(1);
            Future<String> first = pool.submit(
                    () -> idem.execute(request(), String.class, blocking(firstStarted, releaseFirst, "captured")));
            assertThat(firstStarted.await(5, TimeUnit.SECONDS)).isTrue();
            Future<IdempotentOutcome<String>> duplicate = pool.submit(() -> idem.executeForOutcome(
                    request(), String.class, () -> "duplicate ran #" + runs.incrementAndGet()));
            assertThat(duplicateAwaits.await(5, TimeUnit.SECONDS)).isTrue();

            // when: the first finishes while the duplicate waits for the push
            releaseFirst.countDown();

            // then: the duplicate replays the carried record; its only read was the one right after registering
            assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("captured");
            IdempotentOutcome<String> outcome = duplicate.get(5, TimeUnit.SECONDS);
            assertThat(outcome.value()).isEqualTo("captured");
            assertThat(outcome.replayed()).isTrue();
            assertThat(runs).hasValue(1);
            assertThat(finds).as("reads of the store by the waiting duplicate").hasValue(1);
        }
    }

    @Test
    void manyConcurrentDuplicatesRunTheActionOnce() throws Exception {
        // given
        int callers = 8;
        CyclicBarrier start = new CyclicBarrier(callers);
        try (Idempotency idem = Idempotency.builder(memory)
                .config(IdempotencyConfig.builder().maxWait(Duration.ofSeconds(10)).build()).build()) {
            List<Future<String>> results = new ArrayList<>();

            // when
            for (int i = 0; i < callers; i++) {
                results.add(pool.submit(() -> {
                    start.await(5, TimeUnit.SECONDS);
                    return idem.execute(request(), String.class, () -> "run#" + runs.incrementAndGet());
                }));
            }

            // then
            for (Future<String> result : results) {
                assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("run#1");
            }
            assertThat(runs).hasValue(1);
        }
    }

    @Test
    void duplicateGivesUpAfterMaxWaitWithAConflictAndLeavesTheRecordInProgress() throws Exception {
        // given
        CountingListener listener = new CountingListener();
        try (Idempotency idem = Idempotency.builder(memory).listener(listener)
                .config(IdempotencyConfig.builder().maxWait(Duration.ofMillis(100)).build()).build()) {
            CountDownLatch firstStarted = new CountDownLatch(1);
            CountDownLatch releaseFirst = new CountDownLatch(1);
            Future<String> first = pool.submit(
                    () -> idem.execute(request(), String.class, blocking(firstStarted, releaseFirst, "captured")));
            assertThat(firstStarted.await(5, TimeUnit.SECONDS)).isTrue();

            // when
            Throwable thrown = catchThrowable(() -> idem.execute(request(), String.class,
                    () -> "duplicate ran #" + runs.incrementAndGet()));

            // then
            assertThat(thrown).isInstanceOfSatisfying(IdempotencyConflictException.class, conflict -> {
                assertThat(conflict.retryAfter()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
                assertThat(conflict).hasMessageContaining(KEY).hasMessageContaining("still in progress");
            });
            assertThat(listener.count("onConflict")).isEqualTo(1);
            assertThat(memory.find(ID, Instant.now()))
                    .hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(RecordStatus.IN_PROGRESS));

            // and the owner still completes normally
            releaseFirst.countDown();
            assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("captured");
            assertThat(memory.find(ID, Instant.now()))
                    .hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(RecordStatus.COMPLETED));
            assertThat(runs).hasValue(1);
        }
    }

    @Test
    void keyOfACrashedOwnerIsTakenOverAfterItsLeaseEnds() {
        // given: an owner claimed the key and died without completing it
        MutableClock clock = MutableClock.startingAt("2024-01-01T00:00:00Z");
        CountingListener listener = new CountingListener();
        try (Idempotency idem = Idempotency.builder(memory).listener(listener)
                .config(IdempotencyConfig.builder().clock(clock).maxWait(Duration.ZERO).build()).build()) {
            Instant now = clock.instant();
            ClaimResult crashed = memory.claim(new ClaimRequest(ID, request().fingerprint(), now,
                    now.plus(idem.config().lease()), now.plus(idem.config().ttl())));
            assertThat(crashed).isInstanceOf(ClaimResult.Claimed.class);

            // while its lease lasts, duplicates conflict
            assertThat(catchThrowable(() -> idem.execute(request(), String.class, () -> "early")))
                    .isInstanceOf(IdempotencyConflictException.class);

            // when
            clock.advance(idem.config().lease());
            IdempotentOutcome<String> outcome = idem.executeForOutcome(request(), String.class,
                    () -> "recovered#" + runs.incrementAndGet());

            // then
            assertThat(outcome.replayed()).isFalse();
            assertThat(outcome.value()).isEqualTo("recovered#1");
            assertThat(runs).hasValue(1);
            assertThat(listener.count("onClaimed.takeover")).isEqualTo(1);
            assertThat(idem.execute(request(), String.class, () -> "again#" + runs.incrementAndGet()))
                    .isEqualTo("recovered#1");
        }
    }

    @Test
    void staleOwnerIsFencedAfterATakeover() {
        // given: an old owner whose lease ran out and whose key another owner took over and completed
        MutableClock clock = MutableClock.startingAt("2024-01-01T00:00:00Z");
        try (Idempotency idem = Idempotency.builder(memory)
                .config(IdempotencyConfig.builder().clock(clock).build()).build()) {
            Instant now = clock.instant();
            OwnerToken oldToken = ((ClaimResult.Claimed) memory.claim(new ClaimRequest(ID, request().fingerprint(),
                    now, now.plus(idem.config().lease()), now.plus(idem.config().ttl())))).token();
            clock.advance(idem.config().lease().plusSeconds(1));
            idem.execute(request(), String.class, () -> "new owner");

            // when
            boolean completed = memory.complete(ID, oldToken,
                    new StoredResult("old owner".getBytes(StandardCharsets.UTF_8), "text/plain"));
            boolean failed = memory.fail(ID, oldToken, new dev.idem.spi.StoredError("X", "X", "x", null));
            boolean released = memory.release(ID, oldToken);
            boolean renewed = memory.renewLease(ID, oldToken, clock.instant().plusSeconds(60));

            // then
            assertThat(completed).isFalse();
            assertThat(failed).isFalse();
            assertThat(released).isFalse();
            assertThat(renewed).isFalse();
            StoredRecord record = memory.find(ID, clock.instant()).orElseThrow();
            assertThat(record.status()).isEqualTo(RecordStatus.COMPLETED);
            assertThat(idem.codec().decode(record.result().body(), String.class)).isEqualTo("new owner");
        }
    }

    @Test
    void ownerThatLostItsLeaseCannotStoreItsResult() throws Exception {
        // given: an owner still running when its lease ends (no renewal: the store says none is needed)
        MutableClock clock = MutableClock.startingAt("2024-01-01T00:00:00Z");
        ForwardingIdempotencyStore noRenewal = new ForwardingIdempotencyStore(memory) {
            @Override
            public boolean leaseRenewalNeeded() {
                return false;
            }
        };
        CountingListener listener = new CountingListener();
        try (Idempotency idem = Idempotency.builder(noRenewal).listener(listener)
                .config(IdempotencyConfig.builder().clock(clock).build()).build()) {
            CountDownLatch slowStarted = new CountDownLatch(1);
            CountDownLatch releaseSlow = new CountDownLatch(1);
            Future<String> slow = pool.submit(
                    () -> idem.execute(request(), String.class, blocking(slowStarted, releaseSlow, "slow")));
            assertThat(slowStarted.await(5, TimeUnit.SECONDS)).isTrue();
            clock.advance(idem.config().lease());
            String taker = idem.execute(request(), String.class, () -> "taker");

            // when
            releaseSlow.countDown();

            // then: the slow owner still gets its own result, but the store keeps the taker's
            assertThat(slow.get(5, TimeUnit.SECONDS)).isEqualTo("slow");
            assertThat(taker).isEqualTo("taker");
            assertThat(listener.count("onFencedWrite")).isEqualTo(1);
            assertThat(idem.execute(request(), String.class, () -> "third")).isEqualTo("taker");
        }
    }

    @Test
    void aRunningOwnerRenewsItsLeaseUntilTheActionEnds() throws Exception {
        // given: a short lease, a fast renewal, and a store that reports every renewal
        BlockingQueue<Instant> renewals = new LinkedBlockingQueue<>();
        ForwardingIdempotencyStore store = new ForwardingIdempotencyStore(memory) {
            @Override
            public boolean renewLease(RecordId id, OwnerToken token, Instant leaseUntil) {
                boolean renewed = delegate.renewLease(id, token, leaseUntil);
                renewals.add(leaseUntil);
                return renewed;
            }
        };
        Clock clock = Clock.systemUTC();
        try (Idempotency idem = Idempotency.builder(store)
                .config(IdempotencyConfig.builder()
                        .clock(clock)
                        .lease(Duration.ofMillis(300))
                        .renewalInterval(Duration.ofMillis(50))
                        .build())
                .build()) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<String> owner = pool.submit(() -> idem.execute(request(), String.class, () -> {
                runs.incrementAndGet();
                started.countDown();
                release.await(1, TimeUnit.SECONDS); // the action's own (simulated) work
                return "done";
            }));
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
            Instant firstLease = memory.find(ID, clock.instant()).orElseThrow().leaseUntil();

            // when: a reader watches the record at each renewal until the first lease has run out
            List<Instant> observed = new ArrayList<>();
            Instant readAt = clock.instant();
            while (!readAt.isAfter(firstLease) && observed.size() < 40) {
                assertThat(renewals.poll(5, TimeUnit.SECONDS)).as("a lease renewal").isNotNull();
                readAt = clock.instant();
                StoredRecord record = memory.find(ID, readAt).orElseThrow();
                assertThat(record.status()).isEqualTo(RecordStatus.IN_PROGRESS);
                observed.add(record.leaseUntil());
            }

            // then: the lease kept moving forward, past the first lease's end, and still holds
            assertThat(observed).hasSizeGreaterThanOrEqualTo(2).isSorted();
            assertThat(observed.get(observed.size() - 1)).isAfter(firstLease).isAfter(readAt);
            assertThat(memory.find(ID, clock.instant()).orElseThrow().leaseExpiredAt(clock.instant())).isFalse();

            release.countDown();
            assertThat(owner.get(5, TimeUnit.SECONDS)).isEqualTo("done");
            assertThat(runs).hasValue(1);
        }
    }
}
