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
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the leases of every running owner of one engine, from one daemon thread ticking at a quarter of the
 * renewal interval, each lease once its interval has passed (so no timer is scheduled and cancelled per call).
 * A lease the store says was lost is dropped. Thread-safe.
 *
 * <p>Most actions end long before their first renewal, so a new hold costs one swap onto a queue of recent
 * holds, and closing it one volatile write: each new hold drops the closed holds at the queue's head, and a hold
 * still open after {@value #PROMOTE_AFTER_MILLIS} ms (or at the thread's next tick) moves to the set of running
 * owners the thread renews. The queue thus holds about a millisecond of holds, however long one action runs.
 */
final class LeaseKeeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);
    /** How long a hold stays on the recent queue at most before it joins the renewed set. */
    static final long PROMOTE_AFTER_MILLIS = 1;
    private static final long PROMOTE_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(PROMOTE_AFTER_MILLIS);
    /** Closed holds one new hold takes off the queue at most: more than one, so a backlog drains. */
    private static final int DRAINED_PER_HOLD = 2;

    private final Clock clock;
    private final Duration lease;
    private final long intervalNanos;
    private final AtomicReference<Held> recentTail;
    private final AtomicBoolean draining = new AtomicBoolean();
    private Held recentHead; // a dummy: the hold taken last; under draining
    private final Set<Held> running = ConcurrentHashMap.newKeySet(); // Held's equality is identity
    private final AtomicBoolean started = new AtomicBoolean();
    private final ScheduledExecutorService ticker;
    private volatile boolean closed;

    public LeaseKeeper(Clock clock, Duration lease, Duration interval) {
        this.clock = clock;
        this.lease = lease;
        this.intervalNanos = interval.toNanos();
        this.recentHead = new Held(null, null, null, 0);
        this.recentTail = new AtomicReference<>(recentHead);
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
        final long heldSince;
        volatile long nextRenewal;
        volatile boolean released;
        volatile boolean inRunning;
        volatile Held next; // the recent queue's link

        Held(IdempotencyStore store, RecordId record, OwnerToken token, long heldSince) {
            this.store = store;
            this.record = record;
            this.token = token;
            this.heldSince = heldSince;
            this.nextRenewal = heldSince + intervalNanos;
        }

        @Override
        public void close() {
            released = true;
            if (inRunning) { // with promote(): whichever of the two writes comes second sees the other's
                running.remove(this);
            }
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
        long now = System.nanoTime();
        Held h = new Held(store, id, token, now);
        recentTail.getAndSet(h).next = h;
        drainRecent(now, DRAINED_PER_HOLD, false);
        if (!started.get() && started.compareAndSet(false, true)) {
            long tick = Math.max(1_000_000L, intervalNanos / 4);
            ticker.scheduleWithFixedDelay(this::renewDue, tick, tick, TimeUnit.NANOSECONDS);
        }
        return h;
    }

    /**
     * Takes up to {@code limit} holds off the head of the recent queue: closed ones are dropped, open ones older
     * than {@link #PROMOTE_AFTER_MILLIS} (any open one when {@code all}) join the running set. Stops at a younger
     * open hold, or at once when another thread is draining.
     */
    private void drainRecent(long now, int limit, boolean all) {
        if (!draining.compareAndSet(false, true)) {
            return;
        }
        try {
            for (int count = 0; count < limit; count++) {
                Held next = recentHead.next;
                if (next == null || (!all && !next.released && now - next.heldSince < PROMOTE_AFTER_NANOS)) {
                    return;
                }
                Held taken = recentHead;
                recentHead = next; // next is the dummy now
                taken.next = null; // a running hold must not keep the holds queued after it alive
                if (!next.released) {
                    promote(next);
                }
            }
        } finally {
            draining.set(false);
        }
    }

    private void promote(Held h) {
        running.add(h);
        h.inRunning = true;
        if (h.released) { // closed meanwhile, before it saw inRunning
            running.remove(h);
        }
    }

    private void renewDue() {
        long now = System.nanoTime();
        drainRecent(now, Integer.MAX_VALUE, true);
        for (Held h : running) {
            if (h.released || now - h.nextRenewal < 0) {
                continue;
            }
            try {
                if (h.store.renewLease(h.record, h.token, clock.instant().plus(lease))) {
                    h.nextRenewal = System.nanoTime() + intervalNanos;
                } else {
                    log.warn("Lease on {} was lost to another owner; this owner's result will not be stored", h.record);
                    running.remove(h);
                }
            } catch (RuntimeException e) {
                log.warn("Could not renew the lease on {}; will retry", h.record, e);
            }
        }
    }

    /** Holds on the recent queue now (racy; for tests). */
    int recentHolds() {
        int count = 0;
        for (Held h = recentHead.next; h != null; h = h.next) {
            count++;
        }
        return count;
    }

    /** Holds in the renewed set now, closed ones not yet removed included (for tests). */
    int runningHolds() {
        return running.size();
    }

    /** Stops renewing; running owners keep their leases until they end. */
    @Override
    public void close() {
        closed = true;
        ticker.shutdownNow();
    }
}
