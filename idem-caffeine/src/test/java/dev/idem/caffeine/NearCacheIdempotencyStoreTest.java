package dev.idem.caffeine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.idem.Idempotency;
import dev.idem.IdempotencyConfig;
import dev.idem.IdempotencyConflictException;
import dev.idem.IdempotencyKeyReusedException;
import dev.idem.IdempotencyRequest;
import dev.idem.ReplayableError;
import dev.idem.memory.InMemoryIdempotencyStore;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.ForwardingIdempotencyStore;
import dev.idem.spi.RecordId;
import dev.idem.spi.StoredRecord;
import dev.idem.tck.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What the near cache answers from memory and what it leaves to the store, counted at the store: replays on the
 * instance that finished a record, records finished on another instance, running records, expiry by the engine's
 * clock, the staleness bound after a delete in the store, and the bounds on entries and bytes.
 */
class NearCacheIdempotencyStoreTest {

    private final TestClock clock = TestClock.atSystemTime();
    private final FakeTicker ticker = new FakeTicker();
    private final CountingStore shared = new CountingStore(new InMemoryIdempotencyStore());

    private NearCacheIdempotencyStore cache() {
        return NearCacheIdempotencyStore.builder(shared).ticker(ticker).build();
    }

    private Idempotency engine(NearCacheIdempotencyStore store) {
        return Idempotency.builder(store).config(IdempotencyConfig.builder().clock(clock).ttl(Duration.ofHours(1))
                .maxWait(Duration.ofMillis(200)).build()).build();
    }

    private static IdempotencyRequest request(String key, String payload) {
        return IdempotencyRequest.builder("near.cache").scope("s").key(key).payload(payload.getBytes()).build();
    }

    @Test
    void retriesOnTheInstanceThatFinishedTheRecordAreAnsweredWithoutTheStore() {
        Idempotency idem = engine(cache());
        AtomicInteger runs = new AtomicInteger();
        assertThat(idem.execute(request("k1", "p"), String.class, () -> "run " + runs.incrementAndGet()))
                .isEqualTo("run 1");
        long callsAfterFirst = shared.calls.get();

        for (int i = 0; i < 100; i++) {
            assertThat(idem.execute(request("k1", "p"), String.class, () -> "run " + runs.incrementAndGet()))
                    .isEqualTo("run 1");
        }
        assertThat(runs).hasValue(1);
        assertThat(shared.calls.get() - callsAfterFirst).as("store calls for 100 replays").isZero();
    }

    @Test
    void aRecordFinishedOnAnotherInstanceIsReadFromTheStoreOnceThenFromMemory() {
        Idempotency first = engine(cache());
        NearCacheIdempotencyStore other = cache();
        Idempotency second = engine(other);
        first.execute(request("k2", "p"), String.class, () -> "from the first");
        long before = shared.calls.get();

        for (int i = 0; i < 10; i++) {
            assertThat(second.execute(request("k2", "p"), String.class, () -> "ran again")).isEqualTo("from the first");
        }
        assertThat(shared.calls.get() - before).as("store calls on the other instance").isEqualTo(1);
        assertThat(other.hits()).isEqualTo(9);
    }

    @Test
    void aStoredErrorIsReplayedFromMemoryToo() {
        Idempotency idem = engine(cache());
        IdempotencyRequest request = request("k3", "p");
        assertThatThrownBy(() -> idem.execute(request, String.class, () -> {
            throw new Declined("card declined");
        })).isInstanceOf(Declined.class);
        long before = shared.calls.get();
        assertThatThrownBy(() -> idem.execute(request, String.class, () -> "ran again"))
                .as("the stored error, replayed").isInstanceOf(Declined.class).hasMessage("card declined");
        assertThat(shared.calls.get() - before).isZero();
    }

    @Test
    void aRunningRecordIsNeverCachedEveryDuplicateAsksTheStore() throws Exception {
        Idempotency idem = engine(cache());
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        CompletableFuture<String> owner = CompletableFuture.supplyAsync(() -> idem.execute(request("k4", "p"),
                String.class, () -> {
                    started.countDown();
                    finish.await();
                    return "done";
                }));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 3; i++) {
            long before = shared.claims.get();
            assertThatThrownBy(() -> idem.execute(request("k4", "p"), String.class, () -> "duplicate"))
                    .isInstanceOf(IdempotencyConflictException.class);
            assertThat(shared.claims.get() - before).as("claims sent to the store by a duplicate").isEqualTo(1);
        }
        finish.countDown();
        assertThat(owner.get(10, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(idem.execute(request("k4", "p"), String.class, () -> "again")).isEqualTo("done");
    }

    @Test
    void anotherPayloadUnderACachedKeyIsRefusedAsTheStoreWouldRefuseIt() {
        Idempotency idem = engine(cache());
        idem.execute(request("k5", "p"), String.class, () -> "first");
        long before = shared.calls.get();
        assertThatThrownBy(() -> idem.execute(request("k5", "other"), String.class, () -> "second"))
                .isInstanceOf(IdempotencyKeyReusedException.class);
        assertThat(shared.calls.get() - before).isZero();
    }

    @Test
    void aCachedRecordIsNotServedPastItsExpiryByTheEnginesClock() {
        Idempotency idem = engine(cache());
        AtomicInteger runs = new AtomicInteger();
        idem.execute(request("k6", "p"), String.class, () -> "run " + runs.incrementAndGet());

        clock.advance(Duration.ofHours(1).plusSeconds(1)); // past the ttl; the staleness bound has not passed
        assertThat(idem.execute(request("k6", "p"), String.class, () -> "run " + runs.incrementAndGet()))
                .as("an expired key runs again").isEqualTo("run 2");
    }

    @Test
    void aRecordDeletedInTheStoreIsReplayedForAtMostTheStalenessBound() {
        NearCacheIdempotencyStore store = cache();
        Idempotency idem = engine(store);
        AtomicInteger runs = new AtomicInteger();
        idem.execute(request("k7", "p"), String.class, () -> "run " + runs.incrementAndGet());
        RecordId id = new RecordId("s", "near.cache", "k7");
        assertThat(((InMemoryIdempotencyStore) shared.delegate()).delete(id)).as("an operator's delete").isTrue();

        ticker.advance(NearCacheIdempotencyStore.DEFAULT_STALENESS.minusMillis(1));
        assertThat(idem.execute(request("k7", "p"), String.class, () -> "run " + runs.incrementAndGet()))
                .as("within the bound: still the cached record").isEqualTo("run 1");
        ticker.advance(Duration.ofMillis(1));
        assertThat(idem.execute(request("k7", "p"), String.class, () -> "run " + runs.incrementAndGet()))
                .as("once the bound passed: the store's answer (the key is free)").isEqualTo("run 2");

        idem.execute(request("k8", "p"), String.class, () -> "run " + runs.incrementAndGet());
        store.invalidate(new RecordId("s", "near.cache", "k8"));
        long before = shared.calls.get();
        idem.execute(request("k8", "p"), String.class, () -> "ran again");
        assertThat(shared.calls.get() - before).as("after invalidate the store is asked").isPositive();
    }

    @Test
    void theCacheHoldsNoMoreEntriesNorBytesThanItsBounds() {
        NearCacheIdempotencyStore byEntries = NearCacheIdempotencyStore.builder(shared).maximumEntries(10).build();
        Idempotency idem = engine(byEntries);
        for (int i = 0; i < 200; i++) {
            idem.execute(request("e" + i, "p"), String.class, () -> "small");
        }
        assertThat(byEntries.size()).as("entries with maximumEntries(10)").isLessThanOrEqualTo(10);

        NearCacheIdempotencyStore byBytes = NearCacheIdempotencyStore.builder(shared).maximumBytes(100_000).build();
        Idempotency big = engine(byBytes);
        String tenKilobytes = "x".repeat(10_000);
        for (int i = 0; i < 200; i++) {
            big.execute(request("b" + i, "p"), String.class, () -> tenKilobytes);
        }
        assertThat(byBytes.size()).as("10 kB records with maximumBytes(100 kB)").isLessThanOrEqualTo(10);
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> NearCacheIdempotencyStore.builder(shared).maximumEntries(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maximumEntries");
        assertThatThrownBy(() -> NearCacheIdempotencyStore.builder(shared).maximumBytes(10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maximumBytes");
        assertThatThrownBy(() -> NearCacheIdempotencyStore.builder(shared).staleness(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("staleness");
        assertThatThrownBy(() -> NearCacheIdempotencyStore.builder(null)).isInstanceOf(NullPointerException.class);
    }

    /** A deterministic error: stored and replayed. */
    public static class Declined extends RuntimeException implements ReplayableError {
        public Declined(String message) {
            super(message);
        }

        @Override
        public String errorCode() {
            return "DECLINED";
        }
    }

    /** The shared store, counting the calls that reach it. */
    private static final class CountingStore extends ForwardingIdempotencyStore {
        final AtomicLong calls = new AtomicLong();
        final AtomicLong claims = new AtomicLong();

        CountingStore(InMemoryIdempotencyStore delegate) {
            super(delegate);
        }

        @Override
        public ClaimResult claim(ClaimRequest request) {
            calls.incrementAndGet();
            claims.incrementAndGet();
            return super.claim(request);
        }

        @Override
        public Optional<StoredRecord> find(RecordId id, Instant now) {
            calls.incrementAndGet();
            return super.find(id, now);
        }
    }

    /** A Caffeine ticker the test moves by hand. */
    private static final class FakeTicker implements Ticker {
        private final AtomicLong nanos = new AtomicLong();

        @Override
        public long read() {
            return nanos.get();
        }

        void advance(Duration by) {
            nanos.addAndGet(by.toNanos());
        }
    }
}
