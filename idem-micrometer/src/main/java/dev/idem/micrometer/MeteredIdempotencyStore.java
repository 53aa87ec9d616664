package dev.idem.micrometer;

import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.ForwardingIdempotencyStore;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import dev.idem.spi.StoredError;
import dev.idem.spi.StoredRecord;
import dev.idem.spi.StoredResult;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Times every store call in {@code idem.store.latency} (tags {@code operation}, {@code action}, {@code outcome})
 * and passes it on unchanged. Thread-safe if the wrapped store is.
 */
public final class MeteredIdempotencyStore extends ForwardingIdempotencyStore {

    private final MeterRegistry registry;

    public MeteredIdempotencyStore(IdempotencyStore delegate, MeterRegistry registry) {
        super(delegate);
        this.registry = registry;
    }

    private <T> T timed(String operation, String action, Supplier<T> call) {
        long start = System.nanoTime();
        String outcome = "error";
        try {
            T result = call.get();
            outcome = "ok";
            return result;
        } finally {
            Timer.builder("idem.store.latency").description("latency of idempotency store calls")
                    .tags("operation", operation, "action", action, "outcome", outcome)
                    .register(registry).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private static String action(RecordId id) {
        return MicrometerIdempotencyListener.actionTag(id.action());
    }

    @Override
    public ClaimResult claim(ClaimRequest request) {
        return timed("claim", action(request.id()), () -> delegate.claim(request));
    }

    @Override
    public Optional<StoredRecord> find(RecordId id, Instant now) {
        return timed("find", action(id), () -> delegate.find(id, now));
    }

    @Override
    public boolean complete(RecordId id, OwnerToken token, StoredResult result) {
        return timed("complete", action(id), () -> delegate.complete(id, token, result));
    }

    @Override
    public boolean fail(RecordId id, OwnerToken token, StoredError error) {
        return timed("fail", action(id), () -> delegate.fail(id, token, error));
    }

    @Override
    public boolean release(RecordId id, OwnerToken token) {
        return timed("release", action(id), () -> delegate.release(id, token));
    }

    @Override
    public boolean renewLease(RecordId id, OwnerToken token, Instant leaseUntil) {
        return timed("renew", action(id), () -> delegate.renewLease(id, token, leaseUntil));
    }

    @Override
    public int pruneExpiredBefore(Instant cutoff, int limit) {
        return timed("prune", "", () -> delegate.pruneExpiredBefore(cutoff, limit));
    }
}
