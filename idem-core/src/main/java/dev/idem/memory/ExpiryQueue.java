package dev.idem.memory;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The slots of one ttl in the order they were claimed, which is the order they expire in: a linked FIFO
 * threaded through the slots themselves (no node per record), with any number of producers and one consumer
 * at a time. Producers never block; a consumer that finds another one draining skips instead of waiting.
 * Thread-safe.
 *
 * <p>The linking is D. Vyukov's intrusive multi-producer queue: a producer swaps itself in as the tail and
 * then links its predecessor to itself, so between those two steps the queue looks shorter to the consumer
 * (it sees the slot at the next drain). The consumer's head is the slot it took last, kept as a dummy.
 */
final class ExpiryQueue {

    /** What the consumer does with each slot whose queued expiry has come. */
    interface Drain {
        /** Removes the slot's record if it expired before {@code cutoff}; whether it did. */
        boolean prune(InMemoryIdempotencyStore.Slot slot, long cutoff);
    }

    private static final long UNKNOWN = Long.MIN_VALUE;

    private final long ttlNanos;
    private final AtomicReference<InMemoryIdempotencyStore.Slot> tail;
    private final AtomicBoolean draining = new AtomicBoolean();
    private InMemoryIdempotencyStore.Slot head; // the consumer's, under draining
    private volatile long notBefore = UNKNOWN; // the first queued slot's expiry, once the consumer looked

    ExpiryQueue(long ttlNanos) {
        this.ttlNanos = ttlNanos;
        InMemoryIdempotencyStore.Slot dummy = InMemoryIdempotencyStore.Slot.dummy();
        this.head = dummy;
        this.tail = new AtomicReference<>(dummy);
    }

    /** The ttl every slot of this queue was claimed with, in nanoseconds. */
    long ttlNanos() {
        return ttlNanos;
    }

    /** Appends {@code slot}; a slot is appended at most once. */
    void add(InMemoryIdempotencyStore.Slot slot) {
        tail.getAndSet(slot).next = slot;
    }

    /**
     * Takes up to {@code limit} slots whose queued expiry is not after {@code cutoff}, oldest first, and hands
     * each to {@code drain}; stops at the first slot that is not due. Returns how many records {@code drain}
     * removed, or 0 at once when another thread is draining this queue.
     */
    int drain(long cutoff, int limit, Drain drain) {
        if (cutoff < notBefore || !draining.compareAndSet(false, true)) {
            return 0; // the common case when nothing is due: no slot is read
        }
        int removed = 0;
        try {
            for (int count = 0; count < limit; count++) {
                InMemoryIdempotencyStore.Slot next = head.next;
                if (next == null) {
                    notBefore = UNKNOWN;
                    break;
                }
                if (next.queuedExpiry > cutoff) {
                    notBefore = next.queuedExpiry;
                    break;
                }
                InMemoryIdempotencyStore.Slot taken = head;
                head = next; // next is the dummy now
                taken.next = null; // a slot kept elsewhere must not keep the slots queued after it alive
                if (drain.prune(next, cutoff)) {
                    removed++;
                }
            }
        } finally {
            draining.set(false);
        }
        return removed;
    }
}
