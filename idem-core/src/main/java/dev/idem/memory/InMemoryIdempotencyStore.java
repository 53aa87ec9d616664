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
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A thread-safe, bounded store in one JVM's heap, with in-JVM push wake-ups. Records are lost when the
 * JVM stops, so it protects against duplicates only within one process. When {@code maxRecords} live
 * records exist, a new claim first drops expired records and then, if still full, fails with an
 * {@link IdempotencyStoreException} (fail closed) rather than forget a live key.
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore, IdempotencyStoreInspection {

    /** The default bound on live records. */
    public static final int DEFAULT_MAX_RECORDS = 100_000;

    private final ConcurrentHashMap<RecordId, Entry> records = new ConcurrentHashMap<>();
    private final SignalingWaiter waiter = new SignalingWaiter();
    private final int maxRecords;

    public InMemoryIdempotencyStore() {
        this(DEFAULT_MAX_RECORDS);
    }

    public InMemoryIdempotencyStore(int maxRecords) {
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords must be positive, got " + maxRecords);
        }
        this.maxRecords = maxRecords;
    }

    private record Entry(Fingerprint fingerprint, RecordStatus status, OwnerToken owner, Instant leaseUntil,
                         Instant expiresAt, StoredResult result, StoredError error, Instant createdAt) {

        StoredRecord toRecord(RecordId id) {
            return new StoredRecord(id, fingerprint, status, leaseUntil, expiresAt, result, error);
        }

        boolean ownedBy(OwnerToken token) {
            return status == RecordStatus.IN_PROGRESS && owner.equals(token);
        }
    }

    @Override
    public ClaimResult claim(ClaimRequest request) {
        RecordId id = request.id();
        if (records.size() >= maxRecords && !records.containsKey(id)) {
            pruneExpiredBefore(request.now(), Integer.MAX_VALUE);
            if (records.size() >= maxRecords) {
                throw new IdempotencyStoreException("the in-memory idempotency store is full (" + maxRecords
                        + " live records); raise maxRecords or shorten the ttl");
            }
        }
        OwnerToken token = OwnerToken.random();
        Entry claimed = new Entry(request.fingerprint(), RecordStatus.IN_PROGRESS, token, request.leaseUntil(),
                request.expiresAt(), null, null, request.now());
        if (records.putIfAbsent(id, claimed) == null) {
            return new ClaimResult.Claimed(token, false); // a new key, the common case: one map operation
        }
        ClaimResult[] outcome = new ClaimResult[1];
        records.compute(id, (key, current) -> {
            boolean absent = current == null || !current.expiresAt().isAfter(request.now());
            boolean deadOwner = current != null && current.status() == RecordStatus.IN_PROGRESS
                    && !current.leaseUntil().isAfter(request.now())
                    && current.fingerprint().equals(request.fingerprint());
            if (absent || deadOwner) {
                outcome[0] = new ClaimResult.Claimed(token, current != null);
                return claimed;
            }
            outcome[0] = new ClaimResult.Existing(current.toRecord(id));
            return current;
        });
        return outcome[0];
    }

    @Override
    public Optional<StoredRecord> find(RecordId id, Instant now) {
        Entry entry = records.get(id);
        if (entry == null || !entry.expiresAt().isAfter(now)) {
            return Optional.empty();
        }
        return Optional.of(entry.toRecord(id));
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
        while (true) { // compare-and-set on the exact entry read, so a concurrent takeover or delete wins or loses whole
            Entry current = records.get(id);
            if (current == null || !current.ownedBy(token)) {
                return false;
            }
            // A finished record keeps no owner (only an IN_PROGRESS record has one): about 100 bytes less per record
            // held until it expires, which is what the heap holds most of.
            Entry finished = new Entry(current.fingerprint(), status, null, current.leaseUntil(), current.expiresAt(),
                    result, error, current.createdAt());
            if (records.replace(id, current, finished)) {
                waiter.signal(id);
                return true;
            }
        }
    }

    @Override
    public boolean release(RecordId id, OwnerToken token) {
        boolean[] done = new boolean[1];
        records.computeIfPresent(id, (key, current) -> {
            if (!current.ownedBy(token)) {
                return current;
            }
            done[0] = true;
            return null;
        });
        if (done[0]) {
            waiter.signal(id);
        }
        return done[0];
    }

    @Override
    public boolean renewLease(RecordId id, OwnerToken token, Instant leaseUntil) {
        boolean[] done = new boolean[1];
        records.computeIfPresent(id, (key, current) -> {
            if (!current.ownedBy(token)) {
                return current;
            }
            done[0] = true;
            Instant expiresAt = current.expiresAt().isAfter(leaseUntil) ? current.expiresAt() : leaseUntil;
            return new Entry(current.fingerprint(), current.status(), token, leaseUntil, expiresAt, null, null,
                current.createdAt());
        });
        return done[0];
    }

    @Override
    public int pruneExpiredBefore(Instant cutoff, int limit) {
        int removed = 0;
        Iterator<Map.Entry<RecordId, Entry>> it = records.entrySet().iterator();
        while (it.hasNext() && removed < limit) {
            Map.Entry<RecordId, Entry> e = it.next();
            if (!e.getValue().expiresAt().isAfter(cutoff) && records.remove(e.getKey(), e.getValue())) {
                removed++;
            }
        }
        return removed;
    }

    @Override
    public Waiter waiter() {
        return waiter;
    }

    @Override
    public Optional<Inspected> inspect(RecordId id) {
        Entry entry = records.get(id);
        return entry == null ? Optional.empty() : Optional.of(new Inspected(entry.toRecord(id), entry.createdAt()));
    }

    @Override
    public List<Inspected> stuck(Instant now, int limit) {
        return records.entrySet().stream()
                .filter(e -> e.getValue().status() == RecordStatus.IN_PROGRESS
                        && !e.getValue().leaseUntil().isAfter(now))
                .sorted(Comparator.comparing(e -> e.getValue().leaseUntil()))
                .limit(limit)
                .map(e -> new Inspected(e.getValue().toRecord(e.getKey()), e.getValue().createdAt()))
                .toList();
    }

    @Override
    public Map<RecordStatus, Long> countByStatus() {
        Map<RecordStatus, Long> counts = new EnumMap<>(RecordStatus.class);
        for (RecordStatus status : RecordStatus.values()) {
            counts.put(status, 0L);
        }
        records.values().forEach(e -> counts.merge(e.status(), 1L, Long::sum));
        return counts;
    }

    @Override
    public boolean delete(RecordId id) {
        Entry removed = records.remove(id);
        if (removed != null) {
            waiter.signal(id);
        }
        return removed != null;
    }

    /** The number of records held, expired ones included until pruned. */
    public int size() {
        return records.size();
    }
}
