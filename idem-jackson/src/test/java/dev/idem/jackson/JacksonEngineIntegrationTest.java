package dev.idem.jackson;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.Idempotency;
import dev.idem.IdempotencyRequest;
import dev.idem.IdempotentOutcome;
import dev.idem.memory.InMemoryIdempotencyStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JacksonEngineIntegrationTest {

    record Receipt(String orderId, Instant paidAt, List<String> lines) {
    }

    @Test
    void retryWithTheSameKeyReplaysAnEqualRecordWithoutRunningAgain() {
        // given
        AtomicInteger runs = new AtomicInteger();
        IdempotencyRequest request = IdempotencyRequest.builder("checkout.pay")
                .scope("user-1")
                .key("key-123")
                .payload("{\"order\":\"o-9\"}".getBytes(StandardCharsets.UTF_8))
                .build();
        try (Idempotency idem = Idempotency.builder(new InMemoryIdempotencyStore())
                .codec(JacksonResultCodec.create())
                .build()) {

            // when
            Receipt first = idem.execute(request, Receipt.class, () -> {
                runs.incrementAndGet();
                return new Receipt("o-9", Instant.parse("2024-06-01T10:00:00Z"), List.of("book", "pen"));
            });
            IdempotentOutcome<Receipt> second = idem.executeForOutcome(request, Receipt.class, () -> {
                runs.incrementAndGet();
                return new Receipt("other", Instant.EPOCH, List.of());
            });

            // then
            assertThat(second.replayed()).isTrue();
            assertThat(second.value()).isEqualTo(first).isNotSameAs(first);
            assertThat(runs).hasValue(1);
        }
    }
}
