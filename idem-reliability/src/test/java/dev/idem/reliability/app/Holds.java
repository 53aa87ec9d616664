package dev.idem.reliability.app;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Armed holds: the next {@code n} actions that {@link #pass()} block until {@link #release()} (or two minutes), so
 * a test can kill, pause or cut off an instance while an action holds its key. Thread-safe.
 */
final class Holds {

    private final AtomicInteger armed = new AtomicInteger();
    private final AtomicInteger holding = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(1);

    void arm(int count) {
        armed.set(count);
    }

    /** Blocks if a hold is armed; returns at once otherwise. */
    void pass() throws InterruptedException {
        if (armed.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            CountDownLatch current = gate;
            holding.incrementAndGet();
            try {
                current.await(2, TimeUnit.MINUTES);
            } finally {
                holding.decrementAndGet();
            }
        }
    }

    /** Lets every held action go on and disarms the rest. */
    void release() {
        armed.set(0);
        CountDownLatch previous = gate;
        gate = new CountDownLatch(1);
        previous.countDown();
    }

    int holding() {
        return holding.get();
    }
}
