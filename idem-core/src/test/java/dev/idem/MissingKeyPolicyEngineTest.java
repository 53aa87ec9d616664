package dev.idem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.memory.InMemoryIdempotencyStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MissingKeyPolicyEngineTest {

    private final MutableClock clock = MutableClock.startingAt("2024-01-01T00:00:00Z");
    private final AtomicInteger runs = new AtomicInteger();

    private Idempotency engine(MissingKeyPolicy policy) {
        return Idempotency.builder(new InMemoryIdempotencyStore())
                .config(IdempotencyConfig.builder().clock(clock).missingKeyPolicy(policy).build())
                .build();
    }

    private static IdempotencyRequest.Builder keyless(String payload) {
        return IdempotencyRequest.builder("comment.post").scope("u1").payload(payload.getBytes(StandardCharsets.UTF_8));
    }

    private IdempotentAction<String> counting() {
        return () -> "run#" + runs.incrementAndGet();
    }

    @Test
    void rejectPolicyRefusesARequestWithoutAKey() {
        // given
        try (Idempotency idem = engine(MissingKeyPolicy.reject())) {

            // when / then
            assertThatThrownBy(() -> idem.execute(keyless("p").build(), String.class, counting()))
                    .isInstanceOf(MissingIdempotencyKeyException.class)
                    .hasMessageContaining("comment.post");
            assertThat(runs).hasValue(0);
        }
    }

    @Test
    void passThroughPolicyRunsEveryKeylessRequestUnprotected() {
        // given
        try (Idempotency idem = engine(MissingKeyPolicy.passThrough())) {

            // when
            IdempotentOutcome<String> first = idem.executeForOutcome(keyless("p").build(), String.class, counting());
            IdempotentOutcome<String> second = idem.executeForOutcome(keyless("p").build(), String.class, counting());

            // then
            assertThat(runs).hasValue(2);
            assertThat(first.replayed()).isFalse();
            assertThat(second.replayed()).isFalse();
            assertThat(second.key()).isNull();
        }
    }

    @Test
    void passThroughActionSeesNoContext() {
        try (Idempotency idem = engine(MissingKeyPolicy.passThrough())) {
            boolean hasContext = idem.execute(keyless("p").build(), Boolean.class,
                    () -> IdempotencyContext.find().isPresent());

            assertThat(hasContext).isFalse();
        }
    }

    @Test
    void generatePolicyRunsEachRequestUnderAFreshUuidKey() {
        // given
        List<String> keys = new ArrayList<>();
        try (Idempotency idem = engine(MissingKeyPolicy.generate())) {
            IdempotentAction<String> action = () -> {
                runs.incrementAndGet();
                String key = IdempotencyContext.current().key();
                keys.add(key);
                return key;
            };

            // when
            IdempotentOutcome<String> first = idem.executeForOutcome(keyless("p").build(), String.class, action);
            IdempotentOutcome<String> second = idem.executeForOutcome(keyless("p").build(), String.class, action);

            // then
            assertThat(runs).hasValue(2);
            assertThat(keys).hasSize(2).doesNotHaveDuplicates();
            assertThat(keys).allSatisfy(key -> assertThat(UUID.fromString(key).toString()).isEqualTo(key));
            assertThat(first.key()).isEqualTo(keys.get(0));
            assertThat(second.key()).isEqualTo(keys.get(1));
        }
    }

    @Test
    void deriveFromContentDeduplicatesIdenticalPayloadsWithinTheWindow() {
        // given
        try (Idempotency idem = engine(MissingKeyPolicy.deriveFromContent(Duration.ofMinutes(5)))) {
            String first = idem.execute(keyless("hello").build(), String.class, counting());

            // when
            clock.advance(Duration.ofMinutes(4));
            IdempotentOutcome<String> duplicate = idem.executeForOutcome(keyless("hello").build(), String.class,
                    counting());

            // then
            assertThat(duplicate.replayed()).isTrue();
            assertThat(duplicate.value()).isEqualTo(first);
            assertThat(duplicate.key()).startsWith("content-");
            assertThat(runs).hasValue(1);
        }
    }

    @Test
    void deriveFromContentRunsDifferentPayloadsSeparately() {
        // given
        try (Idempotency idem = engine(MissingKeyPolicy.deriveFromContent(Duration.ofMinutes(5)))) {
            idem.execute(keyless("hello").build(), String.class, counting());

            // when
            IdempotentOutcome<String> other = idem.executeForOutcome(keyless("goodbye").build(), String.class,
                    counting());

            // then
            assertThat(other.replayed()).isFalse();
            assertThat(runs).hasValue(2);
        }
    }

    @Test
    void deriveFromContentRunsAnIdenticalRequestAgainAfterTheWindow() {
        // given
        try (Idempotency idem = engine(MissingKeyPolicy.deriveFromContent(Duration.ofMinutes(5)))) {
            idem.execute(keyless("hello").build(), String.class, counting());

            // when
            clock.advance(Duration.ofMinutes(5));
            IdempotentOutcome<String> later = idem.executeForOutcome(keyless("hello").build(), String.class,
                    counting());

            // then
            assertThat(later.replayed()).isFalse();
            assertThat(later.value()).isEqualTo("run#2");
            assertThat(runs).hasValue(2);
        }
    }

    @Test
    void requestPolicyOverridesTheConfiguredPolicy() {
        // given
        try (Idempotency rejecting = engine(MissingKeyPolicy.reject());
             Idempotency passing = engine(MissingKeyPolicy.passThrough())) {

            // when
            String ran = rejecting.execute(keyless("p").missingKeyPolicy(MissingKeyPolicy.passThrough()).build(),
                    String.class, counting());

            // then
            assertThat(ran).isEqualTo("run#1");
            assertThatThrownBy(() -> passing.execute(
                    keyless("p").missingKeyPolicy(MissingKeyPolicy.reject()).build(), String.class, counting()))
                    .isInstanceOf(MissingIdempotencyKeyException.class);
            assertThat(runs).hasValue(1);
        }
    }

    @Test
    void policyIsIgnoredWhenTheRequestHasAKey() {
        try (Idempotency idem = engine(MissingKeyPolicy.reject())) {
            String result = idem.execute(keyless("p").key("client-key").build(), String.class,
                    () -> IdempotencyContext.current().key());

            assertThat(result).isEqualTo("client-key");
        }
    }

    @Test
    void nonPositiveDedupWindowIsRejected() {
        assertThatThrownBy(() -> MissingKeyPolicy.deriveFromContent(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window");
    }
}
