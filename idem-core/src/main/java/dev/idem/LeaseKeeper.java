package dev.idem;

import dev.idem.spi.IdempotencyStore;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the leases of every running owner of one engine: holding a lease costs a map entry, and one daemon
 * thread, ticking at a quarter of the renewal interval, renews each lease once its interval has passed (so no
 * timer is scheduled and cancelled per call). A lease the store says was lost is dropped. Thread-safe.
 */
final class LeaseKeeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

    private final Clock clock;
    private final Duration lease;
    private final long intervalNanos;
    private final Set<Held> held = ConcurrentHashMap.newKeySet(); // Held's equality is identity
    private final AtomicBoolean started = new AtomicBoolean();
    private final ScheduledExecutorService ticker;
    private volatile boolean closed;

    public LeaseKeeper(Clock clock, Duration lease, Duration interval) {
        this.clock = clock;
        this.lease = lease;
        this.intervalNanos = interval.toNanos();
        this.ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "idem-lease-keeper");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** One owner's hold on its lease; closing it stops the renewals. */
    public interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    /** A hold that renews nothing, for stores whose claims need no renewal. */
    public static Hold none() {
        return () -> { };
    }

    private final class Held implements Hold {
        final IdempotencyStore store;
        final RecordId record;
        final OwnerToken token;
        volatile long nextRenewal = System.nanoTime() + intervalNanos;

        Held(IdempotencyStore store, RecordId record, OwnerToken token) {
            this.store = store;
            this.record = record;
            this.token = token;
        }

        @Override
        public void close() {
            held.remove(this);
        }

        /** The record's hash (its strings cache theirs), cheaper than an identity hash; equality stays identity. */
        @Override
        public int hashCode() {
            return record.hashCode();
        }

        @Override
        public boolean equals(Object other) {
            return this == other;
        }
    }

    /**
     * Keeps renewing {@code token}'s lease on {@code id} in {@code store} until the returned hold is closed.
     *
     * @throws IllegalStateException if the keeper was closed
     */
    public Hold hold(IdempotencyStore store, RecordId id, OwnerToken token) {
        if (closed) {
            throw new IllegalStateException("this Idempotency was closed; build a new one");
        }
        Held h = new Held(store, id, token);
        held.add(h);
        if (started.compareAndSet(false, true)) {
            long tick = Math.max(1_000_000L, intervalNanos / 4);
            ticker.scheduleWithFixedDelay(this::renewDue, tick, tick, TimeUnit.NANOSECONDS);
        }
        return h;
    }

    private void renewDue() {
        long now = System.nanoTime();
        for (Held h : held) {
            if (now - h.nextRenewal < 0) {
                continue;
            }
            try {
                if (h.store.renewLease(h.record, h.token, clock.instant().plus(lease))) {
                    h.nextRenewal = System.nanoTime() + intervalNanos;
                } else {
                    log.warn("Lease on {} was lost to another owner; this owner's result will not be stored", h.record);
                    held.remove(h);
                }
            } catch (RuntimeException e) {
                log.warn("Could not renew the lease on {}; will retry", h.record, e);
            }
        }
    }

    /** Stops renewing; running owners keep their leases until they end. */
    @Override
    public void close() {
        closed = true;
        ticker.shutdownNow();
    }
}
