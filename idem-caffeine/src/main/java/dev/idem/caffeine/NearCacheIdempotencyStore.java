package dev.idem.caffeine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.ForwardingIdempotencyStore;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import dev.idem.spi.RecordStatus;
import dev.idem.spi.StoredError;
import dev.idem.spi.StoredRecord;
import dev.idem.spi.StoredResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * A near cache, per application instance, of finished records (COMPLETED and FAILED) in front of any store, so a
 * retry that reaches the instance again is answered from memory with no round trip. What it guarantees:
 * <ul>
 *   <li>Only finished records are cached; a finished record never changes in any store (it is only deleted), so a
 *       cached one is what the store holds. IN_PROGRESS is never cached: every duplicate of a running request asks
 *       the store, which owns leases and fencing.</li>
 *   <li>An entry is served only while its record is not expired by the engine's clock ({@code expires_at} against
 *       the instant the engine passes in), exactly as the store would decide.</li>
 *   <li>A record enters the cache when this instance completes or fails it (the store acknowledged the write) or
 *       when a claim or a read here finds it finished (finished on another instance).</li>
 *   <li>Deletes: a record deleted in the store (an operator's delete, on any instance) may still be replayed from a
 *       cache for at most the {@linkplain Builder#staleness staleness bound} (default 5 s) after it was cached; after
 *       that the cache asks the store again. Releases go through the cache and drop the entry at once.</li>
 *   <li>Bounded by entries and by bytes (the stored body plus an estimated 200 bytes per entry), least recently and
 *       frequently used first out (Caffeine's W-TinyLFU).</li>
 * </ul>
 * Thread-safe.
 */
public final class NearCacheIdempotencyStore extends ForwardingIdempotencyStore {

    /** The default bound on entries. */
    public static final long DEFAULT_MAXIMUM_ENTRIES = 100_000;
    /** The default bound on bytes: 64 MiB. */
    public static final long DEFAULT_MAXIMUM_BYTES = 64L * 1024 * 1024;
    /** The default staleness bound. */
    public static final Duration DEFAULT_STALENESS = Duration.ofSeconds(5);
    /** Estimated bytes of one entry besides its body: key, record, fingerprint, cache node. */
    static final int ENTRY_OVERHEAD = 200;

    private final Cache<RecordId, StoredRecord> finished;
    /** This instance's claims in flight, so that a completion it makes can be cached without a read. */
    private final Cache<OwnerToken, ClaimRequest> claims;
    private final LongAdder hits = new LongAdder();

    private NearCacheIdempotencyStore(IdempotencyStore delegate, Builder builder) {
        super(delegate);
        long minimumWeight = Math.max(1, builder.maximumBytes / builder.maximumEntries);
        Duration staleness = builder.staleness;
        this.finished = Caffeine.newBuilder()
                .ticker(builder.ticker)
                .maximumWeight(builder.maximumBytes)
                // every entry weighs at least maximumBytes / maximumEntries, so neither bound is exceeded
                .weigher((RecordId id, StoredRecord record) -> (int) Math.min(Integer.MAX_VALUE,
                        Math.max(minimumWeight, bytes(record))))
                .expireAfter(Expiry.creating((RecordId id, StoredRecord record) -> staleness))
                .build();
        this.claims = Caffeine.newBuilder().ticker(builder.ticker).maximumSize(builder.maximumEntries)
                .expireAfterWrite(Duration.ofHours(1)).build();
    }

    /** A near cache in front of {@code delegate}, with the default bounds and staleness. */
    public static NearCacheIdempotencyStore wrap(IdempotencyStore delegate) {
        return builder(delegate).build();
    }

    public static Builder builder(IdempotencyStore delegate) {
        return new Builder(Objects.requireNonNull(delegate, "delegate"));
    }

    @Override
    public ClaimResult claim(ClaimRequest request) {
        StoredRecord cached = cached(request.id(), request.now());
        if (cached != null) {
            return new ClaimResult.Existing(cached);
        }
        ClaimResult result = super.claim(request);
        if (result instanceof ClaimResult.Existing existing) {
            remember(existing.record());
        } else if (result instanceof ClaimResult.Claimed claimed) {
            claims.put(claimed.token(), request);
        }
        return result;
    }

    @Override
    public Optional<StoredRecord> find(RecordId id, Instant now) {
        StoredRecord cached = cached(id, now);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<StoredRecord> found = super.find(id, now);
        found.ifPresent(this::remember);
        return found;
    }

    @Override
    public boolean complete(RecordId id, OwnerToken token, StoredResult result) {
        ClaimRequest claim = claims.asMap().remove(token);
        return finished(claim, id, RecordStatus.COMPLETED, result, null, super.complete(id, token, result));
    }

    @Override
    public boolean fail(RecordId id, OwnerToken token, StoredError error) {
        ClaimRequest claim = claims.asMap().remove(token);
        return finished(claim, id, RecordStatus.FAILED, null, error, super.fail(id, token, error));
    }

    /** Caches what this instance's claim finished as, once the store acknowledged it ({@code written}). */
    private boolean finished(ClaimRequest claim, RecordId id, RecordStatus status, StoredResult result,
                             StoredError error, boolean written) {
        if (written && claim != null && claim.id().equals(id)) {
            remember(new StoredRecord(id, claim.fingerprint(), status, claim.leaseUntil(), claim.expiresAt(), result,
                    error));
        }
        return written;
    }

    @Override
    public boolean release(RecordId id, OwnerToken token) {
        claims.invalidate(token);
        finished.invalidate(id);
        return super.release(id, token);
    }

    /** Drops the cached record of {@code id}, if any: the next request for it asks the store. */
    public void invalidate(RecordId id) {
        finished.invalidate(id);
    }

    /** How many times a claim or read was answered from the cache since this store was built. */
    public long hits() {
        return hits.sum();
    }

    /** How many records are cached now (after pending evictions ran). */
    public long size() {
        finished.cleanUp();
        return finished.estimatedSize();
    }

    private StoredRecord cached(RecordId id, Instant now) {
        StoredRecord record = finished.getIfPresent(id);
        if (record == null) {
            return null;
        }
        if (record.expiredAt(now)) {
            finished.invalidate(id);
            return null;
        }
        hits.increment();
        return record;
    }

    private void remember(StoredRecord record) {
        if (record.status() != RecordStatus.IN_PROGRESS) {
            finished.put(record.id(), record);
        }
    }

    private static long bytes(StoredRecord record) {
        long body = record.result() != null ? record.result().body().length
                : record.error() != null ? record.error().encode().length : 0;
        return body + ENTRY_OVERHEAD;
    }

    /** Collects the cache's settings; not thread-safe. */
    public static final class Builder {
        private final IdempotencyStore delegate;
        private long maximumEntries = DEFAULT_MAXIMUM_ENTRIES;
        private long maximumBytes = DEFAULT_MAXIMUM_BYTES;
        private Duration staleness = DEFAULT_STALENESS;
        private Ticker ticker = Ticker.systemTicker();

        private Builder(IdempotencyStore delegate) {
            this.delegate = delegate;
        }

        /** At most this many records are cached (default 100,000). */
        public Builder maximumEntries(long maximumEntries) {
            if (maximumEntries < 1) {
                throw new IllegalArgumentException("maximumEntries must be positive, got " + maximumEntries);
            }
            this.maximumEntries = maximumEntries;
            return this;
        }

        /** At most about this many bytes are cached, bodies and per-entry overhead (default 64 MiB). */
        public Builder maximumBytes(long maximumBytes) {
            if (maximumBytes < ENTRY_OVERHEAD) {
                throw new IllegalArgumentException("maximumBytes must be at least " + ENTRY_OVERHEAD + ", got "
                        + maximumBytes);
            }
            this.maximumBytes = maximumBytes;
            return this;
        }

        /**
         * How long a cached record may be served without asking the store again (default 5 s): the longest a record
         * deleted in the store can still be replayed from this cache.
         */
        public Builder staleness(Duration staleness) {
            Objects.requireNonNull(staleness, "staleness");
            if (staleness.isNegative() || staleness.isZero()) {
                throw new IllegalArgumentException("staleness must be positive, got " + staleness);
            }
            this.staleness = staleness;
            return this;
        }

        /** The clock of the staleness bound (tests); the record expiry always follows the engine's clock. */
        Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        public NearCacheIdempotencyStore build() {
            if (maximumBytes / maximumEntries > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("maximumBytes / maximumEntries must fit an int");
            }
            return new NearCacheIdempotencyStore(delegate, this);
        }
    }
}
