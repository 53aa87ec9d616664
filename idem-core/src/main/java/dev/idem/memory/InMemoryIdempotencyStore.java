package dev.idem.memory;

import dev.idem.IdempotencyStoreException;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.Fingerprint;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spi.IdempotencyStoreInspection;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import dev.idem.spi.RecordStatus;
import dev.idem.spi.SignalingWaiter;
import dev.idem.spi.StoredError;
import dev.idem.spi.StoredRecord;
import dev.idem.spi.StoredResult;
import dev.idem.spi.Waiter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * A thread-safe, bounded store in one JVM's heap, with in-JVM push wake-ups. Records are lost when the
 * JVM stops, so it protects against duplicates only within one process. When {@code maxRecords} live
 * records exist, a new claim first drops expired records and then, if still full, fails with an
 * {@link IdempotencyStoreException} (fail closed) rather than forget a live key.
 *
 * <p>Expired records are also dropped as claims go: records claimed with the same ttl expire in the order they
 * were claimed, so each claim removes up to two expired records from the head of its ttl's queue (no scan, no
 * timer thread). Records whose expiry moved later than their claim's (a lease renewed past the ttl) and ttls
 * beyond the first {@value #MAX_TTL_QUEUES} a store sees are dropped by the full-store scan instead. Times are
 * held as epoch nanoseconds: instants after 2262 are held as the last one that fits.
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore, IdempotencyStoreInspection {

    /** The default bound on live records. */
    public static final int DEFAULT_MAX_RECORDS = 100_000;

    /** Expired records one claim removes at most: more than one, so that a backlog drains as claims go. */
    private static final int PRUNED_PER_CLAIM = 2;
    /** The distinct ttls that get a queue; an engine has one ttl (and one window per derived-key action). */
    static final int MAX_TTL_QUEUES = 16;

    private final ConcurrentHashMap<RecordId, Slot> records = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, ExpiryQueue> queues = new ConcurrentHashMap<>();
    private final SignalingWaiter waiter = new SignalingWaiter();
    private final ExpiryQueue.Drain pruneIfExpired = this::pruneIfExpired;
    private final int maxRecords;
    // Owner tokens need only be unique among this store's claims (they fence stale owners, they are no secret): a
    // counter in hex allocates 32 bytes fewer than a random UUID's string and costs less CPU to make.
    private final AtomicLong tokens = new AtomicLong();
    private volatile ExpiryQueue lastQueue; // the queue of the last claim's ttl: most claims need no map lookup

    public InMemoryIdempotencyStore() {
        this(DEFAULT_MAX_RECORDS);
    }

    public InMemoryIdempotencyStore(int maxRecords) {
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords must be positive, got " + maxRecords);
        }
        this.maxRecords = maxRecords;
    }

    /** One record's state; replaced whole, never changed. Times in epoch nanoseconds. */
    private record State(Fingerprint fingerprint, RecordStatus status, OwnerToken owner, long leaseUntil,
                         long expiresAt, long createdAt, StoredResult result, StoredError error) {

        /** What a slot holds once its record was released, deleted or pruned: no write can succeed on it any more. */
        static final State GONE = new State(Fingerprint.EMPTY, RecordStatus.IN_PROGRESS, null, 0, 0, 0, null, null);
        /**
         * Like {@link #GONE}, for a record that expired or whose owner's lease ended while a claim came for its key:
         * the claim that swaps the slot out of the map next reports the takeover.
         */
        static final State TAKEN_OVER = new State(Fingerprint.EMPTY, RecordStatus.IN_PROGRESS, null, 0, 0, 0, null,
                null);

        /** Whether the record is gone: a slot in this state is out of the map, or about to leave it. */
        boolean ended() {
            return this == GONE || this == TAKEN_OVER;
        }

        StoredRecord toRecord(RecordId id) {
            return new StoredRecord(id, fingerprint, status, instant(leaseUntil), instant(expiresAt), result, error);
        }

        boolean ownedBy(OwnerToken token) {
            return status == RecordStatus.IN_PROGRESS && owner.equals(token);
        }

        boolean expiredAt(long now) {
            return expiresAt <= now;
        }
    }

    /**
     * The map's value for one key, and a node of its ttl's {@link ExpiryQueue}. Its state changes by
     * compare-and-set; once {@link State#ended() ended} it stays so and leaves the map (removed, or swapped for
     * the slot of the claim that takes its key next).
     */
    static final class Slot {
        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Slot.class, "state", State.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final RecordId id;
        final long queuedExpiry; // the expiry it was claimed with: its place in the queue
        volatile Slot next; // the queue's link
        private volatile State state;

        private Slot(RecordId id, State state) {
            this.id = id;
            this.queuedExpiry = state == null ? Long.MIN_VALUE : state.expiresAt();
            this.state = state;
        }

        static Slot dummy() {
            return new Slot(null, null);
        }

        State state() {
            return state;
        }

        boolean replace(State expected, State replacement) {
            return STATE.compareAndSet(this, expected, replacement);
        }
    }

    @Override
    public ClaimResult claim(ClaimRequest request) {
        RecordId id = request.id();
        long now = nanos(request.now());
        ExpiryQueue queue = queueFor(nanos(request.expiresAt()) - now);
        if (queue != null) {
            queue.drain(now, PRUNED_PER_CLAIM, pruneIfExpired);
        }
        if (records.size() >= maxRecords && !records.containsKey(id)) {
            pruneExpired(now, Integer.MAX_VALUE);
            if (records.size() >= maxRecords) {
                throw new IdempotencyStoreException("the in-memory idempotency store is full (" + maxRecords
                        + " live records); raise maxRecords or shorten the ttl");
            }
        }
        OwnerToken token = new OwnerToken(Long.toHexString(tokens.incrementAndGet()));
        Slot claimed = new Slot(id, new State(request.fingerprint(), RecordStatus.IN_PROGRESS, token,
                nanos(request.leaseUntil()), nanos(request.expiresAt()), now, null, null));
        while (true) {
            Slot current = records.putIfAbsent(id, claimed);
            if (current == null) { // a new key, the common case: one map operation
                return claimed(queue, claimed, token, false);
            }
            State state = current.state();
            if (state.ended()) { // one atomic swap of the map's slot: exactly one racing claim wins the key
                if (records.replace(id, current, claimed)) {
                    return claimed(queue, claimed, token, state == State.TAKEN_OVER);
                }
                continue;
            }
            boolean deadOwner = state.status() == RecordStatus.IN_PROGRESS && state.leaseUntil() <= now
                    && state.fingerprint().equals(request.fingerprint());
            if (state.expiredAt(now) || deadOwner) {
                current.replace(state, State.TAKEN_OVER); // this claim's or a racing one's: the next pass swaps
                continue;
            }
            return new ClaimResult.Existing(state.toRecord(id));
        }
    }

    private static ClaimResult claimed(ExpiryQueue queue, Slot slot, OwnerToken token, boolean takeover) {
        if (queue != null) {
            queue.add(slot);
        }
        return new ClaimResult.Claimed(token, takeover);
    }

    @Override
    public Optional<StoredRecord> find(RecordId id, Instant now) {
        Slot slot = records.get(id);
        State state = slot == null ? State.GONE : slot.state();
        if (state.ended() || state.expiredAt(nanos(now))) {
            return Optional.empty();
        }
        return Optional.of(state.toRecord(id));
    }

    @Override
    public boolean complete(RecordId id, OwnerToken token, StoredResult result) {
        return finish(id, token, RecordStatus.COMPLETED, result, null);
    }

    @Override
    public boolean fail(RecordId id, OwnerToken token, StoredError error) {
        return finish(id, token, RecordStatus.FAILED, null, error);
    }

    private boolean finish(RecordId id, OwnerToken token, RecordStatus status, StoredResult result, StoredError error) {
        // A finished record keeps no owner (only an IN_PROGRESS record has one): less to hold until it expires.
        return replaceLive(id, token, true, current -> new State(current.fingerprint(), status, null,
                current.leaseUntil(), current.expiresAt(), current.createdAt(), result, error));
    }

    @Override
    public boolean release(RecordId id, OwnerToken token) {
        return replaceLive(id, token, true, current -> State.GONE);
    }

    @Override
    public boolean renewLease(RecordId id, OwnerToken token, Instant leaseUntil) {
        long until = nanos(leaseUntil);
        return replaceLive(id, token, false, current -> new State(current.fingerprint(), current.status(), token,
                until, Math.max(current.expiresAt(), until), current.createdAt(), null, null));
    }

    /**
     * Replaces a live record's state with what {@code next} makes of it, by compare-and-set on the exact state read,
     * so a concurrent takeover or delete wins or loses whole; only while {@code owner} holds the record, unless
     * {@code owner} is null. A record replaced by {@link State#GONE} leaves the map; its waiters are signalled when
     * {@code wakes}. Whether the state was replaced.
     */
    private boolean replaceLive(RecordId id, OwnerToken owner, boolean wakes, UnaryOperator<State> next) {
        Slot slot = records.get(id);
        if (slot == null) {
            return false;
        }
        while (true) {
            State current = slot.state();
            if (current.ended() || (owner != null && !current.ownedBy(owner))) {
                return false;
            }
            State replacement = next.apply(current);
            if (slot.replace(current, replacement)) {
                if (replacement == State.GONE) {
                    records.remove(id, slot);
                }
                if (wakes) {
                    waiter.signal(id);
                }
                return true;
            }
        }
    }

    @Override
    public int pruneExpiredBefore(Instant cutoff, int limit) {
        return pruneExpired(nanos(cutoff), limit);
    }

    /** The queues first (they hand over expired records in order), then a scan for the records they do not hold. */
    private int pruneExpired(long cutoff, int limit) {
        int removed = 0;
        for (ExpiryQueue queue : queues.values()) {
            removed += queue.drain(cutoff, limit - removed, pruneIfExpired);
        }
        for (Slot slot : records.values()) {
            if (removed >= limit) {
                break;
            }
            if (pruneIfExpired(slot, cutoff)) {
                removed++;
            }
        }
        return removed;
    }

    private boolean pruneIfExpired(Slot slot, long cutoff) {
        State state = slot.state();
        if (!state.ended() && state.expiredAt(cutoff) && slot.replace(state, State.GONE)) {
            records.remove(slot.id, slot);
            return true;
        }
        return false;
    }

    /** The queue of claims made with this ttl, or null once {@value #MAX_TTL_QUEUES} other ttls have one. */
    private ExpiryQueue queueFor(long ttlNanos) {
        ExpiryQueue last = lastQueue;
        if (last != null && last.ttlNanos() == ttlNanos) {
            return last;
        }
        ExpiryQueue queue = queues.get(ttlNanos);
        if (queue == null && queues.size() < MAX_TTL_QUEUES) {
            queue = queues.computeIfAbsent(ttlNanos, ExpiryQueue::new);
        }
        if (queue != null) {
            lastQueue = queue;
        }
        return queue;
    }

    @Override
    public Waiter waiter() {
        return waiter;
    }

    @Override
    public Optional<Inspected> inspect(RecordId id) {
        Slot slot = records.get(id);
        State state = slot == null ? State.GONE : slot.state();
        return state.ended() ? Optional.empty() : Optional.of(inspected(id, state));
    }

    @Override
    public List<Inspected> stuck(Instant now, int limit) {
        long at = nanos(now);
        return records.values().stream()
                .map(slot -> Map.entry(slot.id, slot.state()))
                .filter(e -> !e.getValue().ended() && e.getValue().status() == RecordStatus.IN_PROGRESS
                        && e.getValue().leaseUntil() <= at)
                .sorted(Comparator.comparingLong(e -> e.getValue().leaseUntil()))
                .limit(limit)
                .map(e -> inspected(e.getKey(), e.getValue()))
                .toList();
    }

    private static Inspected inspected(RecordId id, State state) {
        return new Inspected(state.toRecord(id), instant(state.createdAt()));
    }

    @Override
    public Map<RecordStatus, Long> countByStatus() {
        Map<RecordStatus, Long> counts = new EnumMap<>(RecordStatus.class);
        for (RecordStatus status : RecordStatus.values()) {
            counts.put(status, 0L);
        }
        for (Slot slot : records.values()) {
            State state = slot.state();
            if (!state.ended()) {
                counts.merge(state.status(), 1L, Long::sum);
            }
        }
        return counts;
    }

    @Override
    public boolean delete(RecordId id) {
        return replaceLive(id, null, true, current -> State.GONE);
    }

    /** The number of records held, expired ones included until pruned. */
    public int size() {
        return records.size();
    }

    /** Epoch nanoseconds; instants after 2262 (or before 1677) as the last (first) that fits. */
    static long nanos(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds >= Long.MAX_VALUE / 1_000_000_000L) {
            return Long.MAX_VALUE;
        }
        if (seconds <= Long.MIN_VALUE / 1_000_000_000L) {
            return Long.MIN_VALUE;
        }
        return seconds * 1_000_000_000L + instant.getNano();
    }

    static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }
}
