package dev.idem.spi;

import java.time.Instant;
import java.util.Optional;

/**
 * Persistence for idempotency records. Implementations must be thread-safe and immutable once built.
 *
 * <p>The contract, checked by {@code idem-store-tck}:
 * <ul>
 *   <li>{@link #claim} is atomic: among any number of concurrent callers for one id, at most one gets
 *       {@link ClaimResult.Claimed}. A claim wins when the record is absent, when it expired
 *       ({@code expiresAt <= now}), or when it is {@code IN_PROGRESS} with {@code leaseUntil <= now} and the
 *       same fingerprint (crash recovery). Otherwise the existing record is returned.</li>
 *   <li>Every write after the claim is fenced: it changes the record only while it is {@code IN_PROGRESS}
 *       and held by the given token, and returns {@code false} otherwise.</li>
 *   <li>Records past {@code expiresAt} are never returned by {@link #find}.</li>
 *   <li>Failures of the backend surface as {@link dev.idem.IdempotencyStoreException}.</li>
 * </ul>
 */
public interface IdempotencyStore {

    /** Claims {@code request.id()} for a new owner, or returns the record that prevents it. */
    ClaimResult claim(ClaimRequest request);

    /** The live record for {@code id} at {@code now}; empty when absent or expired. */
    Optional<StoredRecord> find(RecordId id, Instant now);

    /** Moves the owner's record to {@code COMPLETED}; {@code false} if {@code token} no longer owns it. */
    boolean complete(RecordId id, OwnerToken token, StoredResult result);

    /** Moves the owner's record to {@code FAILED}; {@code false} if {@code token} no longer owns it. */
    boolean fail(RecordId id, OwnerToken token, StoredError error);

    /** Deletes the owner's in-progress record so a retry runs again; {@code false} if not owned. */
    boolean release(RecordId id, OwnerToken token);

    /** Extends the owner's lease; {@code false} if {@code token} no longer owns an in-progress record. */
    boolean renewLease(RecordId id, OwnerToken token, Instant leaseUntil);

    /**
     * Deletes at most {@code limit} records with {@code expiresAt <= cutoff}.
     *
     * @return the number of records deleted
     */
    int pruneExpiredBefore(Instant cutoff, int limit);

    /** The store's wake-up channel for waiting duplicates; {@link Waiter#polling()} when it has none. */
    default Waiter waiter() {
        return Waiter.polling();
    }

    /**
     * Whether the engine must renew the owner's lease while the action runs. A store whose claim is
     * held by an open database transaction (and so vanishes if the owner dies) returns {@code false}.
     */
    default boolean leaseRenewalNeeded() {
        return true;
    }

    /**
     * Whether the backend deletes expired records by itself (Redis key expiry, say), so that
     * {@link #pruneExpiredBefore} has nothing to do and nobody needs to schedule it.
     */
    default boolean expiresRecordsItself() {
        return false;
    }
}
