package dev.idem.spring.txapp;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Requests held inside their handler until the test lets them go, by name. Thread-safe. */
public final class Gates {

    /** A held request: {@code entered} once it runs, it waits for {@code release}. */
    public static final class Gate {
        public final CountDownLatch entered = new CountDownLatch(1);
        public final CountDownLatch release = new CountDownLatch(1);
    }

    private final Map<String, Gate> gates = new ConcurrentHashMap<>();

    public Gate gate(String name) {
        return gates.computeIfAbsent(name, n -> new Gate());
    }

    /** Called by a handler: holds it when the test named it. */
    public void pass(String name) throws InterruptedException {
        if (name == null || name.isEmpty()) {
            return;
        }
        Gate gate = gate(name);
        gate.entered.countDown();
        if (!gate.release.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("gate " + name + " was never released");
        }
    }
}
