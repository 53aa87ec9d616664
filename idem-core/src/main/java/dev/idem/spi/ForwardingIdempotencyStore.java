package dev.idem.spi;

import java.time.Instant;
import java.util.Optional;

/**
 * A store that forwards every call to another store; subclasses override single methods to decorate one operation
 * (time it, observe it, or inject a failure in a test). As thread-safe as the delegate and the overrides.
 */
public class ForwardingIdempotencyStore implements IdempotencyStore {

    protected final IdempotencyStore delegate;

    public ForwardingIdempotencyStore(IdempotencyStore delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    /** The store every call goes to. */
    public IdempotencyStore delegate() {
        return delegate;
    }

    @Override
    public ClaimResult claim(ClaimRequest request) {
        return delegate.claim(request);
    }

    @Override
    public Optional<StoredRecord> find(RecordId id, Instant now) {
        return delegate.find(id, now);
    }

    @Override
    public boolean complete(RecordId id, OwnerToken token, StoredResult result) {
        return delegate.complete(id, token, result);
    }

    @Override
    public boolean fail(RecordId id, OwnerToken token, StoredError error) {
        return delegate.fail(id, token, error);
    }

    @Override
    public boolean release(RecordId id, OwnerToken token) {
        return delegate.release(id, token);
    }

    @Override
    public boolean renewLease(RecordId id, OwnerToken token, Instant leaseUntil) {
        return delegate.renewLease(id, token, leaseUntil);
    }

    @Override
    public int pruneExpiredBefore(Instant cutoff, int limit) {
        return delegate.pruneExpiredBefore(cutoff, limit);
    }

    @Override
    public Waiter waiter() {
        return delegate.waiter();
    }

    @Override
    public boolean leaseRenewalNeeded() {
        return delegate.leaseRenewalNeeded();
    }

    @Override
    public boolean expiresRecordsItself() {
        return delegate.expiresRecordsItself();
    }
}
