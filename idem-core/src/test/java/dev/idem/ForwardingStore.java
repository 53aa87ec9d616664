package dev.idem;

import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import dev.idem.spi.StoredError;
import dev.idem.spi.StoredRecord;
import dev.idem.spi.StoredResult;
import dev.idem.spi.Waiter;
import java.time.Instant;
import java.util.Optional;

/**
 * A store that forwards every call to a real store (in these tests an {@code InMemoryIdempotencyStore});
 * tests override single methods to inject a failure or observe a call.
 */
public class ForwardingStore implements IdempotencyStore {

    protected final IdempotencyStore delegate;

    public ForwardingStore(IdempotencyStore delegate) {
        this.delegate = delegate;
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
}
