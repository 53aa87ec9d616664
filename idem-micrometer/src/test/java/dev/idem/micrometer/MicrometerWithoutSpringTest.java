package dev.idem.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.Idempotency;
import dev.idem.IdempotencyRequest;
import dev.idem.memory.InMemoryIdempotencyStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The listener and the metered store on a plain engine: no Spring anywhere. */
class MicrometerWithoutSpringTest {

    @Test
    void decisionsAreCountedAndStoreCallsTimedWithIdLikeSegmentsFolded() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Idempotency idem = Idempotency.builder(new MeteredIdempotencyStore(new InMemoryIdempotencyStore(), registry))
                .listener(new MicrometerIdempotencyListener(registry)).build()) {
            IdempotencyRequest request = IdempotencyRequest.builder("POST /orders/12345/items").scope("alice").key("k1")
                    .payload("{}".getBytes(StandardCharsets.UTF_8)).build();

            idem.execute(request, String.class, () -> "placed");
            idem.execute(request, String.class, () -> "placed again");
        }

        assertThat(registry.get("idem.claims").tag("action", "POST /orders/{id}/items").counter().count()).isEqualTo(1);
        assertThat(registry.get("idem.replays").tag("kind", "result").counter().count()).isEqualTo(1);
        assertThat(registry.get("idem.store.latency").tag("operation", "claim").timer().count()).isEqualTo(2);
        assertThat(registry.get("idem.store.latency").tag("operation", "complete").timer().count()).isEqualTo(1);
    }
}
