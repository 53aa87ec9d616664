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
import dev.idem.spi.StoredRecord;
import dev.idem.spi.StoredResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IdempotencyListenerAndStoreFailureTest {

    private final InMemoryIdempotencyStore memory = new InMemoryIdempotencyStore();
    private final AtomicInteger runs = new AtomicInteger();

    private static IdempotencyRequest request(String key, String payload) {
        return IdempotencyRequest.builder("order.create").scope("u1").key(key)
                .payload(payload.getBytes(StandardCharsets.UTF_8)).build();
    }

    private IdempotentAction<String> counting() {
        return () -> "run#" + runs.incrementAndGet();
    }

    @Test
    void listenerSeesClaimsReplaysKeyReuseAndConflicts() {
        // given
        CountingListener listener = new CountingListener();
        try (Idempotency idem = Idempotency.builder(memory).listener(listener)
                .config(IdempotencyConfig.builder().maxWait(Duration.ZERO).build()).build()) {
            Instant now = Instant.now();
            memory.claim(new ClaimRequest(new RecordId("u1", "order.create", "busy"), request("busy", "p").fingerprint(),
                    now, now.plusSeconds(30), now.plusSeconds(60)));

            // when
            idem.execute(request("k1", "p"), String.class, counting());
            idem.execute(request("k1", "p"), String.class, counting());
            idem.execute(request("k1", "p"), String.class, counting());
            catchThrowable(() -> idem.execute(request("k1", "other"), String.class, counting()));
            catchThrowable(() -> idem.execute(request("busy", "p"), String.class, counting()));

            // then
            assertThat(listener.count("onClaimed")).isEqualTo(1);
            assertThat(listener.count("onCompleted")).isEqualTo(1);
            assertThat(listener.count("onResultReplayed")).isEqualTo(2);
            assertThat(listener.count("onKeyReused")).isEqualTo(1);
            assertThat(listener.count("onConflict")).isEqualTo(1);
            assertThat(runs).hasValue(1);
        }
    }

    @Test
    void listenerSeesStoredReplayedAndReleasedErrorsAndPassThrough() {
        // given
        CountingListener listener = new CountingListener();
        try (Idempotency idem = Idempotency.builder(memory).listener(listener)
                .config(IdempotencyConfig.builder().missingKeyPolicy(MissingKeyPolicy.passThrough()).build()).build()) {
            IdempotentAction<String> declining = () -> {
                throw new DeclinedException("NO", "no", Map.of());
            };

            // when
            catchThrowable(() -> idem.execute(request("k1", "p"), String.class, declining));
            catchThrowable(() -> idem.execute(request("k1", "p"), String.class, declining));
            catchThrowable(() -> idem.execute(request("k2", "p"), String.class, () -> {
                throw new IllegalStateException("transient");
            }));
            idem.execute(IdempotencyRequest.builder("order.create").build(), String.class, counting());

            // then
            assertThat(listener.count("onErrorStored")).isEqualTo(1);
            assertThat(listener.count("onErrorReplayed")).isEqualTo(1);
            assertThat(listener.count("onReleased")).isEqualTo(1);
            assertThat(listener.count("onPassThrough")).isEqualTo(1);
        }
    }

    @Test
    void throwingListenerDoesNotBreakTheEngine() {
        // given
        IdempotencyListener broken = new IdempotencyListener() {
            @Override
            public void onClaimed(RecordId id, boolean takeover) {
                throw new IllegalStateException("metrics down");
            }
        };
        try (Idempotency idem = Idempotency.builder(memory).listener(broken).build()) {

            // when
            String result = idem.execute(request("k1", "p"), String.class, counting());

            // then
            assertThat(result).isEqualTo("run#1");
        }
    }

    @Test
    void storeFailingToClaimFailsClosedWithoutRunningTheAction() {
        // given
        RuntimeException outage = new IllegalStateException("connection refused");
        ForwardingIdempotencyStore failing = new ForwardingIdempotencyStore(memory) {
            @Override
            public ClaimResult claim(ClaimRequest request) {
                throw outage;
            }
        };
        try (Idempotency idem = Idempotency.builder(failing).build()) {

            // when
            Throwable thrown = catchThrowable(() -> idem.execute(request("k1", "p"), String.class, counting()));

            // then
            assertThat(thrown).isInstanceOf(IdempotencyStoreException.class)
                    .hasMessageContaining("claim")
                    .hasCause(outage);
            assertThat(runs).hasValue(0);
        }
    }

    @Test
    void storeExceptionFromTheStoreIsPassedThroughUnwrapped() {
        // given
        IdempotencyStoreException unavailable = new IdempotencyStoreException("store unavailable");
        ForwardingIdempotencyStore failing = new ForwardingIdempotencyStore(memory) {
            @Override
            public ClaimResult claim(ClaimRequest request) {
                throw unavailable;
            }
        };
        try (Idempotency idem = Idempotency.builder(failing).build()) {

            // when
            Throwable thrown = catchThrowable(() -> idem.execute(request("k1", "p"), String.class, counting()));

            // then
            assertThat(thrown).isSameAs(unavailable);
            assertThat(runs).hasValue(0);
        }
    }

    @Test
    void storeFailingToReadWhileWaitingFailsWithAStoreException() {
        // given: a record in progress, and a store whose find fails
        ForwardingIdempotencyStore failing = new ForwardingIdempotencyStore(memory) {
            @Override
            public Optional<StoredRecord> find(RecordId id, Instant now) {
                throw new IllegalStateException("read timeout");
            }
        };
        Instant now = Instant.now();
        memory.claim(new ClaimRequest(new RecordId("u1", "order.create", "k1"), request("k1", "p").fingerprint(),
                now, now.plusSeconds(30), now.plusSeconds(60)));
        try (Idempotency idem = Idempotency.builder(failing).build()) {

            // when
            Throwable thrown = catchThrowable(() -> idem.execute(request("k1", "p"), String.class, counting()));

            // then
            assertThat(thrown).isInstanceOf(IdempotencyStoreException.class).hasMessageContaining("find");
            assertThat(runs).hasValue(0);
        }
    }

    @Test
    void storeFailingToCompleteStillReturnsTheActionsResult() {
        // given
        ForwardingIdempotencyStore failing = new ForwardingIdempotencyStore(memory) {
            @Override
            public boolean complete(RecordId id, OwnerToken token, StoredResult result) {
                throw new IllegalStateException("write timeout");
            }
        };
        CountingListener listener = new CountingListener();
        try (Idempotency idem = Idempotency.builder(failing).listener(listener).build()) {

            // when
            IdempotentOutcome<String> outcome = idem.executeForOutcome(request("k1", "p"), String.class, counting());

            // then
            assertThat(outcome.value()).isEqualTo("run#1");
            assertThat(outcome.replayed()).isFalse();
            assertThat(runs).hasValue(1);
            assertThat(listener.count("onCompleted.notStored")).isEqualTo(1);
            assertThat(memory.find(new RecordId("u1", "order.create", "k1"), Instant.now()))
                    .hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(RecordStatus.IN_PROGRESS));
        }
    }

    @Test
    void storeFailingToReleaseStillThrowsTheActionsError() {
        // given
        ForwardingIdempotencyStore failing = new ForwardingIdempotencyStore(memory) {
            @Override
            public boolean release(RecordId id, OwnerToken token) {
                throw new IllegalStateException("write timeout");
            }
        };
        try (Idempotency idem = Idempotency.builder(failing).build()) {

            // when
            Throwable thrown = catchThrowable(() -> idem.execute(request("k1", "p"), String.class, () -> {
                throw new IllegalArgumentException("bad input");
            }));

            // then
            assertThat(thrown).isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("bad input");
        }
    }
}
