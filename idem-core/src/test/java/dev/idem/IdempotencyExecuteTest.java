package dev.idem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.idem.memory.InMemoryIdempotencyStore;
import dev.idem.spi.RecordId;
import dev.idem.spi.RecordStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IdempotencyExecuteTest {

    private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();
    private final Idempotency idem = Idempotency.builder(store).build();
    private final AtomicInteger runs = new AtomicInteger();

    @AfterEach
    void close() {
        idem.close();
    }

    private static IdempotencyRequest request(String scope, String key, String payload) {
        return IdempotencyRequest.builder("order.create")
                .scope(scope)
                .key(key)
                .payload(payload.getBytes(StandardCharsets.UTF_8))
                .build();
    }

    private IdempotentAction<String> counting(String result) {
        return () -> result + "#" + runs.incrementAndGet();
    }

    @Test
    void firstCallRunsTheActionAndReportsItExecuted() {
        // when
        IdempotentOutcome<String> outcome = idem.executeForOutcome(request("u1", "k1", "p"), String.class, counting("r"));

        // then
        assertThat(outcome.value()).isEqualTo("r#1");
        assertThat(outcome.replayed()).isFalse();
        assertThat(outcome.key()).isEqualTo("k1");
        assertThat(runs).hasValue(1);
        assertThat(store.find(new RecordId("u1", "order.create", "k1"), java.time.Instant.now()))
                .hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(RecordStatus.COMPLETED));
    }

    @Test
    void retryWithTheSameKeyReplaysTheFirstResultWithoutRunning() {
        // given
        String first = idem.execute(request("u1", "k1", "p"), String.class, counting("r"));

        // when
        IdempotentOutcome<String> retry = idem.executeForOutcome(request("u1", "k1", "p"), String.class, counting("r"));

        // then
        assertThat(retry.replayed()).isTrue();
        assertThat(retry.value()).isEqualTo(first).isEqualTo("r#1");
        assertThat(runs).hasValue(1);
    }

    @Test
    void aReleaseKeySignalReleasesTheKeyEvenUnderAPolicyThatReplaysEveryError() {
        // given: a policy that would store any error for the whole TTL
        try (Idempotency replayAll = Idempotency.builder(store).config(IdempotencyConfig.builder()
                .errorPolicy(error -> ErrorPolicy.Disposition.REPLAY).build()).build()) {
            IdempotencyRequest request = request("u1", "k-release", "p");

            // when: the first run says it produced nothing to store
            assertThatThrownBy(() -> replayAll.execute(request, String.class, () -> {
                runs.incrementAndGet();
                throw new ReleaseKey("gateway answered 503");
            })).isInstanceOf(ReleaseKey.class).hasMessage("gateway answered 503");
            String retry = replayAll.execute(request, String.class, counting("r"));

            // then: the key was released, not stored as a failure, and the retry ran
            assertThat(retry).isEqualTo("r#2");
            assertThat(runs).hasValue(2);
        }
    }

    @Test
    void nullResultIsReplayedAsNull() {
        // given
        idem.execute(request("u1", "k1", "p"), Void.class, () -> {
            runs.incrementAndGet();
            return null;
        });

        // when
        IdempotentOutcome<Void> retry = idem.executeForOutcome(request("u1", "k1", "p"), Void.class, () -> {
            runs.incrementAndGet();
            return null;
        });

        // then
        assertThat(retry.replayed()).isTrue();
        assertThat(retry.value()).isNull();
        assertThat(runs).hasValue(1);
    }

    @Test
    void sameKeyInAnotherScopeRunsSeparately() {
        // given
        String user1 = idem.execute(request("u1", "k1", "p"), String.class, counting("r"));

        // when
        String user2 = idem.execute(request("u2", "k1", "p"), String.class, counting("r"));

        // then
        assertThat(user1).isEqualTo("r#1");
        assertThat(user2).isEqualTo("r#2");
        assertThat(runs).hasValue(2);
    }

    @Test
    void sameKeyForAnotherActionRunsSeparately() {
        // given
        idem.execute(request("u1", "k1", "p"), String.class, counting("r"));
        IdempotencyRequest otherAction = IdempotencyRequest.builder("order.cancel").scope("u1").key("k1")
                .payload("p".getBytes(StandardCharsets.UTF_8)).build();

        // when
        IdempotentOutcome<String> outcome = idem.executeForOutcome(otherAction, String.class, counting("r"));

        // then
        assertThat(outcome.replayed()).isFalse();
        assertThat(runs).hasValue(2);
    }

    @Test
    void sameKeyWithAnotherPayloadIsRefusedAndDoesNotRun() {
        // given
        idem.execute(request("u1", "k1", "amount=10"), String.class, counting("r"));

        // when
        Throwable thrown = catchThrowable(
                () -> idem.execute(request("u1", "k1", "amount=99"), String.class, counting("r")));

        // then
        assertThat(thrown).isInstanceOf(IdempotencyKeyReusedException.class)
                .hasMessageContaining("k1")
                .hasMessageContaining("order.create");
        assertThat(runs).hasValue(1);
        assertThat(idem.execute(request("u1", "k1", "amount=10"), String.class, counting("r"))).isEqualTo("r#1");
    }

    @Test
    void invalidKeyIsRejectedBeforeRunning() {
        assertThatThrownBy(() -> idem.execute(request("u1", "bad key", "p"), String.class, counting("r")))
                .isInstanceOf(InvalidIdempotencyKeyException.class);
        assertThat(runs).hasValue(0);
    }

    @Test
    void keyLongerThanTheConfiguredMaximumIsRejected() {
        // given
        try (Idempotency shortKeys = Idempotency.builder(store)
                .config(IdempotencyConfig.builder().maxKeyLength(8).build()).build()) {

            // when / then
            assertThatThrownBy(() -> shortKeys.execute(request("u1", "123456789", "p"), String.class, counting("r")))
                    .isInstanceOf(InvalidIdempotencyKeyException.class)
                    .hasMessageContaining("at most 8");
            assertThat(shortKeys.execute(request("u1", "12345678", "p"), String.class, counting("r"))).isEqualTo("r#1");
        }
    }

    @Test
    void replayableErrorIsReplayedAsTheSameTypeWithoutRunningAgain() {
        // given
        Map<String, String> details = Map.of("reason", "insufficient_funds", "last4", "4242");
        IdempotentAction<String> declining = () -> {
            runs.incrementAndGet();
            throw new DeclinedException("CARD_DECLINED", "the card was declined", details);
        };
        Throwable first = catchThrowable(() -> idem.execute(request("u1", "k1", "p"), String.class, declining));

        // when
        Throwable replayed = catchThrowable(() -> idem.execute(request("u1", "k1", "p"), String.class, declining));

        // then
        assertThat(first).isExactlyInstanceOf(DeclinedException.class);
        assertThat(replayed).isExactlyInstanceOf(DeclinedException.class)
                .isNotSameAs(first)
                .hasMessage("the card was declined");
        DeclinedException declined = (DeclinedException) replayed;
        assertThat(declined.errorCode()).isEqualTo("CARD_DECLINED");
        assertThat(declined.errorDetails()).isEqualTo(details);
        assertThat(runs).hasValue(1);
    }

    @Test
    void replayableErrorWithoutASuitableConstructorIsReplayedAsReplayedErrorException() {
        // given
        IdempotentAction<String> failing = () -> {
            runs.incrementAndGet();
            throw new OpaqueReplayableException(500);
        };
        assertThatThrownBy(() -> idem.execute(request("u1", "k1", "p"), String.class, failing))
                .isExactlyInstanceOf(OpaqueReplayableException.class);

        // when
        Throwable replayed = catchThrowable(() -> idem.execute(request("u1", "k1", "p"), String.class, failing));

        // then
        assertThat(replayed).isExactlyInstanceOf(ReplayedErrorException.class)
                .hasMessage("amount 500 exceeds the limit");
        ReplayedErrorException error = (ReplayedErrorException) replayed;
        assertThat(error.errorCode()).isEqualTo("LIMIT_EXCEEDED");
        assertThat(error.originalType()).isEqualTo(OpaqueReplayableException.class.getName());
        assertThat(error.errorDetails()).containsExactly(Map.entry("amount", "500"));
        assertThat(runs).hasValue(1);
    }

    @Test
    void transientErrorReleasesTheKeySoARetryRunsAgain() {
        // given
        IdempotencyRequest request = request("u1", "k1", "p");
        assertThatThrownBy(() -> idem.execute(request, String.class, () -> {
            runs.incrementAndGet();
            throw new IllegalStateException("database timeout");
        })).isExactlyInstanceOf(IllegalStateException.class).hasMessage("database timeout");
        assertThat(store.find(new RecordId("u1", "order.create", "k1"), java.time.Instant.now())).isEmpty();

        // when
        String retried = idem.execute(request, String.class, counting("ok"));

        // then
        assertThat(retried).isEqualTo("ok#2");
        assertThat(runs).hasValue(2);
    }

    @Test
    void checkedExceptionIsWrappedOnTheFirstCall() {
        // given
        IOException cause = new IOException("disk full");

        // when
        Throwable thrown = catchThrowable(() -> idem.execute(request("u1", "k1", "p"), String.class, () -> {
            runs.incrementAndGet();
            throw cause;
        }));

        // then
        assertThat(thrown).isInstanceOf(IdempotentActionException.class).hasCause(cause);
        assertThat(runs).hasValue(1);
    }

    @Test
    void releaseAllPolicyLetsEvenReplayableErrorsRunAgain() {
        // given
        try (Idempotency releasing = Idempotency.builder(store)
                .config(IdempotencyConfig.builder().errorPolicy(ErrorPolicy.releaseAll()).build()).build()) {
            IdempotentAction<String> declining = () -> {
                runs.incrementAndGet();
                throw new DeclinedException("CARD_DECLINED", "declined", Map.of());
            };

            // when
            catchThrowable(() -> releasing.execute(request("u1", "k1", "p"), String.class, declining));
            catchThrowable(() -> releasing.execute(request("u1", "k1", "p"), String.class, declining));

            // then
            assertThat(runs).hasValue(2);
        }
    }

    @Test
    void recordExpiresAfterTheTtlAndTheKeyRunsAgain() {
        // given
        MutableClock clock = MutableClock.startingAt("2024-01-01T00:00:00Z");
        try (Idempotency timed = Idempotency.builder(new InMemoryIdempotencyStore())
                .config(IdempotencyConfig.builder().clock(clock).ttl(Duration.ofHours(1)).build()).build()) {
            timed.execute(request("u1", "k1", "p"), String.class, counting("r"));
            clock.advance(Duration.ofMinutes(59));
            assertThat(timed.executeForOutcome(request("u1", "k1", "p"), String.class, counting("r")).replayed())
                    .isTrue();

            // when
            clock.advance(Duration.ofMinutes(1));
            IdempotentOutcome<String> afterTtl = timed.executeForOutcome(request("u1", "k1", "p"), String.class,
                    counting("r"));

            // then
            assertThat(afterTtl.replayed()).isFalse();
            assertThat(afterTtl.value()).isEqualTo("r#2");
        }
    }

    @Test
    void decoratedSupplierRunsOnceAndReplaysAfterwards() {
        // given
        var supplier = idem.decorate(request("u1", "k1", "p"), String.class, counting("r"));

        // when
        String first = supplier.get();
        String second = supplier.get();

        // then
        assertThat(first).isEqualTo(second).isEqualTo("r#1");
        assertThat(runs).hasValue(1);
    }

    @Test
    void pruneExpiredDeletesOnlyExpiredRecords() {
        // given
        MutableClock clock = MutableClock.startingAt("2024-01-01T00:00:00Z");
        InMemoryIdempotencyStore own = new InMemoryIdempotencyStore();
        try (Idempotency timed = Idempotency.builder(own)
                .config(IdempotencyConfig.builder().clock(clock).ttl(Duration.ofHours(1)).build()).build()) {
            timed.execute(request("u1", "old", "p"), String.class, counting("r"));
            clock.advance(Duration.ofMinutes(30));
            timed.execute(request("u1", "new", "p"), String.class, counting("r"));
            clock.advance(Duration.ofMinutes(30));

            // when
            int pruned = timed.pruneExpired(100);

            // then
            assertThat(pruned).isEqualTo(1);
            assertThat(own.size()).isEqualTo(1);
            assertThatThrownBy(() -> timed.pruneExpired(0)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void resultThatTheCodecCannotEncodeMarksTheKeyFailedSoItDoesNotRunAgain() {
        // given: the default SimpleResultCodec cannot encode a Duration
        IdempotentAction<Duration> action = () -> {
            runs.incrementAndGet();
            return Duration.ofSeconds(1);
        };
        assertThatThrownBy(() -> idem.execute(request("u1", "k1", "p"), Duration.class, action))
                .isInstanceOf(ResultCodecException.class)
                .hasMessageContaining("idem-jackson");

        // when
        Throwable retry = catchThrowable(() -> idem.execute(request("u1", "k1", "p"), Duration.class, action));

        // then
        assertThat(retry).isInstanceOf(ResultCodecException.class);
        assertThat(runs).hasValue(1);
    }
}
