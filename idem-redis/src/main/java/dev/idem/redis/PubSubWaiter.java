package dev.idem.redis;

import dev.idem.spi.RecordId;
import dev.idem.spi.SignalingWaiter;
import dev.idem.spi.Waiter;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store's {@link Waiter}: a {@link SignalingWaiter} fed by the pub/sub subscriber that also remembers, for a
 * short while, which records were signalled, so that a handle registered just after its record's signal starts
 * out woken.
 *
 * <p>Why: a claim's reply and the pub/sub message of a completion travel on two different connections, so the
 * message can overtake the reply. A duplicate whose claim read the record {@code IN_PROGRESS} on the server, just
 * before the owner completed it, can then receive that answer after the completion's signal was already delivered
 * (with no handle registered yet) and wait a whole poll interval for nothing. Remembering recent signals closes
 * that gap. A remembered signal that was not needed costs the waiter one extra read (signals are hints). Thread-safe.
 */
final class PubSubWaiter implements Waiter {

    /** How long a signal is remembered for handles registered after it. */
    static final Duration DEFAULT_MEMORY = Duration.ofSeconds(2);

    private final SignalingWaiter signals = new SignalingWaiter();
    private final ConcurrentHashMap<String, Long> recent = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep = new AtomicLong(System.nanoTime());
    private final long memoryNanos;

    PubSubWaiter() {
        this(DEFAULT_MEMORY);
    }

    PubSubWaiter(Duration memory) {
        this.memoryNanos = memory.toNanos();
    }

    @Override
    public Handle register(RecordId id) {
        Handle handle = signals.register(id);
        String digest = id.digest();
        Long signalledAt = recent.get(digest); // read after registering: a later signal reaches the handle directly
        if (signalledAt != null && System.nanoTime() - signalledAt < memoryNanos) {
            signals.signal(digest);
        }
        return handle;
    }

    /** Wakes the handles of the record with this {@link RecordId#digest()}, and remembers the signal briefly. */
    void signal(String digest) {
        long now = System.nanoTime();
        recent.put(digest, now); // before signalling, so a concurrent register sees either this or the signal
        signals.signal(digest);
        sweep(now);
    }

    /** Wakes every handle (after a reconnect, when signals may have been lost). */
    void signalAll() {
        signals.signalAll();
    }

    /** The number of handles currently registered. */
    int registeredHandles() {
        return signals.registeredHandles();
    }

    /** The number of signals currently remembered (for tests). */
    int rememberedSignals() {
        return recent.size();
    }

    private void sweep(long now) {
        long last = lastSweep.get();
        if (now - last >= memoryNanos && lastSweep.compareAndSet(last, now)) {
            recent.values().removeIf(at -> now - at >= memoryNanos);
        }
    }
}
