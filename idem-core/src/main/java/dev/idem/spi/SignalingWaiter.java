package dev.idem.spi;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A {@link Waiter} that wakes handles in this JVM when told to: the in-memory store signals it directly,
 * a database store from its push listener (by {@link RecordId#digest()}). A signal may carry the finished
 * record, which each woken handle then hands out once ({@link Handle#takeCarried()}); a signal without one
 * drops whatever an earlier signal carried, so the waiter reads the store again. Thread-safe; a signal with no
 * registered handle costs one map lookup.
 */
public final class SignalingWaiter implements Waiter {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SignalingWaiter.class);

    private final ConcurrentHashMap<String, Set<SignalHandle>> handles = new ConcurrentHashMap<>();

    @Override
    public Handle register(RecordId id) {
        SignalHandle handle = new SignalHandle(id);
        handles.computeIfAbsent(handle.digest, d -> ConcurrentHashMap.newKeySet()).add(handle);
        return handle;
    }

    /**
     * A waiter for a store whose owners push only for records a duplicate flagged as waited for: registering also
     * runs {@code flag} (true: flagged, the owner will push; false: the record is no longer in progress, so the handle
     * is woken at once to look again). A store failure while flagging (any runtime exception) is logged and leaves the handle to polling.
     */
    public Waiter flagging(Predicate<RecordId> flag) {
        return id -> {
            Handle handle = register(id);
            try {
                if (!flag.test(id)) {
                    signal(id); // finished (or gone) before it was flagged: look again now
                }
            } catch (RuntimeException e) { // the store's failure to flag: poll instead
                log.debug("Could not flag {} as waited for; the waiter falls back to polling", id, e);
            }
            return handle;
        };
    }

    /** Wakes every handle registered for {@code id}. */
    public void signal(RecordId id) {
        if (!handles.isEmpty()) { // the common case (nobody waits) skips hashing the id
            signal(id.digest());
        }
    }

    /**
     * Wakes every handle registered for {@code id} and hands each the record that {@code finished} builds (called
     * only when a handle is registered, so a store can pass a cheap builder on every completion).
     */
    public void signal(RecordId id, Function<RecordId, StoredRecord> finished) {
        if (!handles.isEmpty()) {
            signal(id.digest(), finished);
        }
    }

    /** Wakes every handle registered for the id with this {@link RecordId#digest()}. */
    public void signal(String digest) {
        signal(digest, null);
    }

    /**
     * Wakes every handle registered for the id with this digest and hands each the finished record that
     * {@code finished} builds for that id (called at most once), so none of them reads the store again.
     * A {@code null} function, or one that returns null, carries nothing.
     */
    public void signal(String digest, Function<RecordId, StoredRecord> finished) {
        Set<SignalHandle> registered = handles.get(digest);
        if (registered == null) {
            return;
        }
        StoredRecord record = null;
        boolean built = finished == null;
        for (SignalHandle handle : registered) {
            if (!built) {
                record = finished.apply(handle.id);
                built = true;
            }
            handle.wake(record != null && record.id().equals(handle.id) ? record : null);
        }
    }

    /** Wakes every registered handle, e.g. after the push channel reconnected and signals may be lost. */
    public void signalAll() {
        handles.values().forEach(set -> set.forEach(handle -> handle.wake(null)));
    }

    /**
     * Whether any handle is registered now: a store may skip work its own waiters alone would need (they are
     * woken through the push channel all the same, only a little later).
     */
    public boolean hasHandles() {
        return !handles.isEmpty();
    }

    /** The number of handles currently registered (for tests and metrics). */
    public int registeredHandles() {
        return handles.values().stream().mapToInt(Set::size).sum();
    }

    private final class SignalHandle implements Handle {
        private final RecordId id;
        private final String digest;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition woken = lock.newCondition();
        private boolean signalled;
        private StoredRecord carried;

        SignalHandle(RecordId id) {
            this.id = id;
            this.digest = id.digest();
        }

        void wake(StoredRecord record) {
            lock.lock();
            try {
                signalled = true;
                carried = record;
                woken.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean await(Duration timeout) throws InterruptedException {
            long nanos = timeout.toNanos();
            lock.lock();
            try {
                while (!signalled && nanos > 0) {
                    nanos = woken.awaitNanos(nanos);
                }
                boolean result = signalled;
                signalled = false;
                return result;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public Optional<StoredRecord> takeCarried() {
            lock.lock();
            try {
                StoredRecord record = carried;
                carried = null;
                return Optional.ofNullable(record);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            handles.computeIfPresent(digest, (d, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
        }
    }

}
