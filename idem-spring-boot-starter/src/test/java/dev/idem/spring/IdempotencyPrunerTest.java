package dev.idem.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.Idempotency;
import dev.idem.IdempotencyConfig;
import dev.idem.IdempotencyRequest;
import dev.idem.memory.InMemoryIdempotencyStore;
import dev.idem.spi.Fingerprint;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The pruner works through a backlog batch by batch, resting between batches, and an interrupt ends a run. */
class IdempotencyPrunerTest {

    private static final int RECORDS = 50;

    @Test
    void aRunDeletesTheWholeBacklogInBatches() {
        InMemoryIdempotencyStore store = backlog();
        AtomicInteger reported = new AtomicInteger();
        IdempotencyPruner pruner = new IdempotencyPruner(engine(store), Duration.ofMinutes(1), null, 7, reported::addAndGet);

        assertThat(pruner.pruneNow()).isEqualTo(RECORDS);
        assertThat(store.size()).isZero();
        assertThat(reported).hasValue(RECORDS);
    }

    @Test
    void anInterruptedRunStopsAfterItsCurrentBatch() {
        InMemoryIdempotencyStore store = backlog();
        IdempotencyPruner pruner = new IdempotencyPruner(engine(store), Duration.ofMinutes(1), null, 7, rows -> { });

        Thread.currentThread().interrupt(); // as stop() interrupts the pruner's thread
        try {
            assertThat(pruner.pruneNow()).isEqualTo(7);
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept for the caller").isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(store.size()).isEqualTo(RECORDS - 7);
    }

    /** {@link #RECORDS} records written a day ago with a ttl of one hour: all expired now. */
    private static InMemoryIdempotencyStore backlog() {
        InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();
        Clock yesterday = Clock.fixed(Instant.now().minus(Duration.ofDays(1)), ZoneOffset.UTC);
        try (Idempotency past = Idempotency.builder(store)
                .config(IdempotencyConfig.builder().clock(yesterday).ttl(Duration.ofHours(1)).build()).build()) {
            for (int i = 0; i < RECORDS; i++) {
                past.execute(IdempotencyRequest.builder("orders.create").scope("u").key("k" + i)
                        .fingerprint(Fingerprint.EMPTY).build(), String.class, () -> "ok");
            }
        }
        return store;
    }

    private static Idempotency engine(InMemoryIdempotencyStore store) {
        return Idempotency.builder(store).build();
    }
}
