package dev.idem.tck;

import dev.idem.spi.ForwardingIdempotencyStore;
import dev.idem.spi.Waiter;
import org.junit.jupiter.api.Assumptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.Idempotency;
import dev.idem.IdempotencyConfig;
import dev.idem.IdempotencyConflictException;
import dev.idem.IdempotencyListener;
import dev.idem.IdempotencyRequest;
import dev.idem.IdempotentOutcome;
import dev.idem.ReplayableError;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.Fingerprint;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spi.RecordId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Engine-level conformance: {@link Idempotency} over the store under test keeps its promises with real
 * threads racing. Extend it in a store module's tests and return a fresh store from {@link #createStore()}.
 */
public abstract class IdempotencyEngineContract {

    protected IdempotencyStore store;
    private final List<Idempotency> engines = new ArrayList<>();

    /** A new, empty store. Called before each test. */
    protected abstract IdempotencyStore createStore();

    /** Releases what {@link #createStore()} made. Called after each test. */
    protected void disposeStore(IdempotencyStore store) {
    }

    /** Whether the store pushes wake-ups to waiting duplicates. */
    protected boolean pushesWakeUps() {
        return true;
    }

    @BeforeEach
    void setUpStore() {
        store = createStore();
    }

    @AfterEach
    void tearDown() {
        engines.forEach(Idempotency::close);
        disposeStore(store);
    }

    protected Idempotency engine(IdempotencyConfig config, IdempotencyListener listener) {
        Idempotency engine = Idempotency.builder(store).config(config).listener(listener).build();
        engines.add(engine);
        return engine;
    }

    protected Idempotency engine(IdempotencyConfig config) {
        return engine(config, IdempotencyListener.NONE);
    }

    @Test
    void tenConcurrentIdenticalRequestsRunOnceAndAllGetTheIdenticalResult() throws Exception {
        Idempotency idem = engine(IdempotencyConfig.builder().maxWait(Duration.ofSeconds(20)).build());
        IdempotencyRequest request = request("user-1", "billing.checkout", UUID.randomUUID().toString(), "plan=monthly");
        AtomicInteger executions = new AtomicInteger();

        List<String> results = Races.times(10, () -> idem.execute(request, String.class,
                () -> "checkout-" + executions.incrementAndGet() + "-" + UUID.randomUUID()));

        assertThat(executions.get()).isEqualTo(1);
        assertThat(Set.copyOf(results)).hasSize(1);
    }

    @Test
    void manyKeysWithManyDuplicatesEachRunExactlyOnce() throws Exception {
        Idempotency idem = engine(IdempotencyConfig.builder().maxWait(Duration.ofSeconds(30)).build());
        int keys = 100;
        int duplicates = 5;
        List<IdempotencyRequest> calls = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            IdempotencyRequest request = request("user-" + (k % 7), "practice.answer", UUID.randomUUID().toString(), "q" + k);
            for (int d = 0; d < duplicates; d++) {
                calls.add(request);
            }
        }
        Collections.shuffle(calls, new Random(11));
        Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
        Map<String, Set<String>> resultsPerKey = new ConcurrentHashMap<>();
        Races.forEach(16, calls, call -> {
            String key = call.key().orElseThrow();
            String value = idem.execute(call, String.class, () -> {
                executions.computeIfAbsent(key, x -> new AtomicInteger()).incrementAndGet();
                return "attempt-" + UUID.randomUUID();
            });
            resultsPerKey.computeIfAbsent(key, x -> ConcurrentHashMap.newKeySet()).add(value);
        });

        assertThat(executions).hasSize(keys);
        assertThat(executions.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
        assertThat(resultsPerKey.values()).allSatisfy(set -> assertThat(set).hasSize(1));
    }

    @Test
    void aDeterministicErrorIsReplayedIdenticallyWithoutRunningAgain() {
        Idempotency idem = engine(IdempotencyConfig.ofDefaults());
        IdempotencyRequest request = request("user-1", "practice.end", UUID.randomUUID().toString(), "session=9");
        AtomicInteger executions = new AtomicInteger();

        Throwable first = catchThrowable(() -> idem.execute(request, String.class, () -> {
            executions.incrementAndGet();
            throw new SessionNotFound("NOT_FOUND", "practice session 9 does not exist", Map.of("sessionId", "9"));
        }));
        Throwable second = catchThrowable(() -> idem.execute(request, String.class, () -> {
            executions.incrementAndGet();
            return "should not run";
        }));

        assertThat(executions.get()).isEqualTo(1);
        assertThat(second).isInstanceOf(SessionNotFound.class).hasMessage(first.getMessage());
        assertThat(((SessionNotFound) second).errorCode()).isEqualTo("NOT_FOUND");
        assertThat(((SessionNotFound) second).errorDetails()).isEqualTo(Map.of("sessionId", "9"));
    }

    @Test
    void aTransientErrorReleasesTheKeySoTheRetryRunsAgain() {
        Idempotency idem = engine(IdempotencyConfig.ofDefaults());
        IdempotencyRequest request = request("user-1", "practice.start", UUID.randomUUID().toString(), "n=10");
        AtomicInteger executions = new AtomicInteger();

        assertThatThrownBy(() -> idem.execute(request, String.class, () -> {
            executions.incrementAndGet();
            throw new IllegalStateException("database timeout");
        })).isInstanceOf(IllegalStateException.class);
        String retried = idem.execute(request, String.class, () -> "run-" + executions.incrementAndGet());

        assertThat(executions.get()).isEqualTo(2);
        assertThat(retried).isEqualTo("run-2");
        assertThat(idem.execute(request, String.class, () -> "run-" + executions.incrementAndGet())).isEqualTo("run-2");
    }

    @Test
    void aCrashedOwnerIsTakenOverExactlyOnceAfterItsLeaseEnds() throws Exception {
        TestClock clock = TestClock.atSystemTime();
        Duration lease = Duration.ofSeconds(30);
        AtomicInteger takeovers = new AtomicInteger();
        Idempotency idem = engine(IdempotencyConfig.builder().clock(clock).lease(lease)
                .maxWait(Duration.ofSeconds(20)).build(), new IdempotencyListener() {
                    @Override
                    public void onClaimed(RecordId id, boolean takeover) {
                        if (takeover) {
                            takeovers.incrementAndGet();
                        }
                    }
                });
        IdempotencyRequest request = request("user-1", "practice.start", UUID.randomUUID().toString(), "n=10");
        RecordId id = new RecordId("user-1", "practice.start", request.key().orElseThrow());
        Instant now = clock.instant();
        store.claim(new ClaimRequest(id, request.fingerprint(), now, now.plus(lease), now.plus(Duration.ofHours(24))));
        // the owner "crashes": it never completes, fails, releases or renews

        assertThatThrownBy(() -> engine(IdempotencyConfig.builder().clock(clock).lease(lease)
                .maxWait(Duration.ZERO).build()).execute(request, String.class, () -> "too early"))
                .isInstanceOf(IdempotencyConflictException.class);
        clock.advance(lease);
        AtomicInteger executions = new AtomicInteger();
        List<String> results = Races.times(8, () -> idem.execute(request, String.class,
                () -> "recovered-" + executions.incrementAndGet()));

        assertThat(executions.get()).isEqualTo(1);
        assertThat(takeovers.get()).isEqualTo(1);
        assertThat(results).containsOnly("recovered-1");
    }

    @Test
    void aStaleOwnerCannotOverwriteTheResultOfTheOwnerThatTookOver() throws Exception {
        TestClock clock = TestClock.atSystemTime();
        Duration lease = Duration.ofSeconds(30);
        AtomicInteger fenced = new AtomicInteger();
        Idempotency idem = engine(IdempotencyConfig.builder().clock(clock).lease(lease)
                .renewalInterval(Duration.ofSeconds(29)).build(), new IdempotencyListener() {
                    @Override
                    public void onFencedWrite(RecordId id) {
                        fenced.incrementAndGet();
                    }
                });
        IdempotencyRequest request = request("user-1", "billing.checkout", UUID.randomUUID().toString(), "plan=monthly");
        CountDownLatch staleOwnerRunning = new CountDownLatch(1);
        CountDownLatch resumeStaleOwner = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> stale = pool.submit(() -> idem.execute(request, String.class, () -> {
                staleOwnerRunning.countDown();
                resumeStaleOwner.await();
                return "stale";
            }));
            assertThat(staleOwnerRunning.await(10, TimeUnit.SECONDS)).isTrue();
            clock.advance(lease.plusSeconds(1)); // the stale owner is "paused" past its lease

            String fresh = idem.execute(request, String.class, () -> "fresh");
            resumeStaleOwner.countDown();

            assertThat(fresh).isEqualTo("fresh");
            assertThat(stale.get(10, TimeUnit.SECONDS)).isEqualTo("stale"); // its caller still learns its own outcome
            assertThat(fenced.get()).isEqualTo(1);
            assertThat(idem.execute(request, String.class, () -> "third")).isEqualTo("fresh");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aWaitingDuplicateIsWokenByThePushChannelNotByPolling() throws Exception {
        Assumptions.assumeTrue(pushesWakeUps(), "this store has no push channel: its duplicates poll");
        // the duplicate's waiter is registered before the owner completes, so only the push can wake it in time
        CountDownLatch duplicateRegistered = new CountDownLatch(1);
        IdempotencyStore observed = new ForwardingIdempotencyStore(store) {
            @Override
            public Waiter waiter() {
                Waiter real = delegate.waiter();
                return id -> {
                    Waiter.Handle handle = real.register(id);
                    duplicateRegistered.countDown();
                    return handle;
                };
            }
        };
        Duration pollInterval = Duration.ofSeconds(60);
        CountingWaits waits = new CountingWaits();
        Idempotency idem = Idempotency.builder(observed).listener(waits).config(IdempotencyConfig.builder()
                .pollInterval(pollInterval).maxWait(Duration.ofSeconds(30)).build()).build();
        engines.add(idem);
        IdempotencyRequest request = request("user-1", "chat.message", UUID.randomUUID().toString(), "hello");
        CountDownLatch ownerRunning = new CountDownLatch(1);
        CountDownLatch finishOwner = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<String> owner = pool.submit(() -> idem.execute(request, String.class, () -> {
                ownerRunning.countDown();
                finishOwner.await();
                return "sent";
            }));
            assertThat(ownerRunning.await(10, TimeUnit.SECONDS)).isTrue();
            Future<IdempotentOutcome<String>> duplicate = pool.submit(
                    () -> idem.executeForOutcome(request, String.class, () -> "twice"));
            assertThat(duplicateRegistered.await(10, TimeUnit.SECONDS)).as("the duplicate registered its waiter")
                    .isTrue();
            finishOwner.countDown();

            assertThat(owner.get(10, TimeUnit.SECONDS)).isEqualTo("sent");
            IdempotentOutcome<String> replay = duplicate.get(20, TimeUnit.SECONDS);
            assertThat(replay.value()).isEqualTo("sent");
            assertThat(replay.replayed()).isTrue();
            assertThat(waits.waited).as("the duplicate waited for the owner").hasSize(1);
            assertThat(waits.waited.get(0)).as("woken long before the first poll").isLessThan(pollInterval.dividedBy(4));
        } finally {
            pool.shutdownNow();
        }
    }

    /** Records how long each waiting duplicate waited. */
    private static final class CountingWaits implements IdempotencyListener {
        final List<Duration> waited = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void onWaited(RecordId id, Duration waitedFor) {
            waited.add(waitedFor);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A deterministic business error with the constructor shape Idem uses to rebuild it on replay. */
    public static class SessionNotFound extends RuntimeException implements ReplayableError {
        private static final long serialVersionUID = 1L;
        private final String code;
        private final Map<String, String> details;

        public SessionNotFound(String code, String message, Map<String, String> details) {
            super(message);
            this.code = code;
            this.details = Map.copyOf(details);
        }

        @Override
        public String errorCode() {
            return code;
        }

        @Override
        public Map<String, String> errorDetails() {
            return details;
        }
    }

    protected static IdempotencyRequest request(String scope, String action, String key, String payload) {
        return IdempotencyRequest.builder(action).scope(scope).key(key)
                .fingerprint(Fingerprint.of(payload.getBytes(StandardCharsets.UTF_8))).build();
    }

    private static Throwable catchThrowable(Runnable call) {
        try {
            call.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected an exception");
    }
}
