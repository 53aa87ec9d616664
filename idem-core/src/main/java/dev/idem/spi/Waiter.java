package dev.idem.spi;

import java.time.Duration;
import java.util.Optional;

/**
 * Wakes duplicates that wait for an in-progress record to finish. A store with a push channel
 * (LISTEN/NOTIFY, pub/sub, an in-JVM signal) signals every {@link Handle} registered for an id when its
 * record completes, fails or is released. Signals are hints: the engine always re-reads the record, and
 * polls at its poll interval anyway, so a lost signal costs latency, never correctness. A push channel may
 * also carry the finished record with its signal ({@link Handle#takeCarried()}), which spares each woken
 * duplicate its re-read.
 * Implementations must be thread-safe.
 */
public interface Waiter {

    /** Registers interest in {@code id}; register before re-reading the record so no signal is missed. */
    Handle register(RecordId id);

    /** A waiter with no push channel: every wait lasts its full timeout. */
    static Waiter polling() {
        return id -> new Handle() {
            @Override
            public boolean await(Duration timeout) throws InterruptedException {
                long nanos = timeout.toNanos();
                if (nanos > 0) {
                    Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
                }
                return false;
            }

            @Override
            public void close() {
            }
        };
    }

    /** One registration; not shared between threads. */
    interface Handle extends AutoCloseable {

        /**
         * Blocks until a signal for the id arrives (one that arrived since registration or the last
         * await counts) or {@code timeout} passes.
         *
         * @return true if woken by a signal
         */
        boolean await(Duration timeout) throws InterruptedException;

        /**
         * The finished record the last signal carried, handed out once: the state the owner committed, so the
         * engine replays it without reading the store again. Empty when the last signal carried none (a
         * release, a reconnect, a record too large for the channel) or when it was already taken.
         */
        default Optional<StoredRecord> takeCarried() {
            return Optional.empty();
        }

        @Override
        void close();
    }
}
