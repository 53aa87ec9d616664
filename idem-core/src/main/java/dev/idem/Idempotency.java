package dev.idem;

import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.Fingerprint;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import dev.idem.spi.RecordStatus;
import dev.idem.spi.StoredRecord;
import dev.idem.spi.StoredResult;
import dev.idem.spi.Waiter;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine: runs each action at most once per (scope, action, key) and gives every retry the same
 * result or the same deterministic error.
 *
 * <p>{@code execute} claims the key in the store; the winner runs the action under a lease it renews while
 * running, then stores the result (or the error, or releases the key on a transient error), every write
 * fenced by its owner token. A duplicate that finds the key finished replays it; one that finds it in
 * progress waits up to {@code maxWait} (woken by the store's push channel, polling as fallback), then gets
 * an {@link IdempotencyConflictException}; one that finds the owner's lease expired takes the key over.
 *
 * <p>Thread-safe; build one per store and share it. {@link #close()} stops the lease-renewal thread.
 */
public final class Idempotency implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Idempotency.class);
    private static final Duration CONFLICT_RETRY_AFTER = Duration.ofSeconds(1);
    private static final int MAX_CLAIM_ATTEMPTS = 64;

    private final IdempotencyStore store;
    private final IdempotencyConfig config;
    private final ResultCodec codec;
    private final IdempotencyListener listener;
    private final boolean listening;
    private final LeaseKeeper leases;
    private final boolean ownsLeases;

    private Idempotency(IdempotencyStore store, IdempotencyConfig config, ResultCodec codec,
                        IdempotencyListener listener, LeaseKeeper leases, boolean ownsLeases) {
        this.store = store;
        this.config = config;
        this.codec = codec;
        this.listener = listener;
        this.listening = listener != IdempotencyListener.NONE;
        this.leases = leases;
        this.ownsLeases = ownsLeases;
    }

    /** Starts building an engine over {@code store}. */
    public static Builder builder(IdempotencyStore store) {
        return new Builder(store);
    }

    /**
     * Runs {@code action} at most once for the request's key and returns its result, or replays the stored
     * result of an earlier run.
     *
     * @throws MissingIdempotencyKeyException  no key and the policy is reject
     * @throws InvalidIdempotencyKeyException  malformed key
     * @throws IdempotencyKeyReusedException   the key was used with another fingerprint
     * @throws IdempotencyConflictException    the first request with this key is still running
     * @throws IdempotencyStoreException       the store failed before the action ran (it did not run)
     * @throws IdempotentActionException       the action threw a checked exception (unchecked ones pass through)
     */
    public <T> T execute(IdempotencyRequest request, Class<T> resultType, IdempotentAction<T> action) {
        return executeForOutcome(request, resultType, action).value();
    }

    /** Like {@link #execute(IdempotencyRequest, Class, IdempotentAction)} for generic result types. */
    public <T> T execute(IdempotencyRequest request, Type resultType, IdempotentAction<T> action) {
        return executeForOutcome(request, resultType, action).value();
    }

    /** Like {@code execute}, also saying whether the result was replayed. */
    public <T> IdempotentOutcome<T> executeForOutcome(IdempotencyRequest request, Type resultType,
                                                      IdempotentAction<T> action) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(resultType, "resultType");
        Objects.requireNonNull(action, "action");
        Target target = resolveTarget(request);
        if (target == null) {
            emit(l -> l.onPassThrough(request.action()));
            return IdempotentOutcome.executed(runUnprotected(action), null);
        }
        RecordId id = target.id();
        long deadline = System.nanoTime() + config.maxWait().toNanos();
        for (int attempt = 1; ; attempt++) {
            Instant now = config.clock().instant();
            Instant leaseUntil = now.plus(config.lease());
            Instant expiresAt = max(now.plus(target.ttl()), leaseUntil);
            ClaimRequest claim = new ClaimRequest(id, request.fingerprint(), now, leaseUntil, expiresAt);
            ClaimResult result = callStore("claim", id, () -> store.claim(claim));
            if (result instanceof ClaimResult.Claimed claimed) {
                if (listening) { // without a listener, no event object per call
                    emit(l -> l.onClaimed(id, claimed.takeover()));
                }
                return runAsOwner(id, claimed.token(), resultType, action);
            }
            StoredRecord existing = ((ClaimResult.Existing) result).record();
            IdempotentOutcome<T> settled = awaitExisting(existing, request.fingerprint(), deadline, resultType);
            if (settled != null) {
                return settled;
            }
            if (attempt >= MAX_CLAIM_ATTEMPTS || System.nanoTime() - deadline > 0) {
                emit(l -> l.onConflict(id));
                throw new IdempotencyConflictException(id, CONFLICT_RETRY_AFTER);
            }
        }
    }

    /** A supplier that runs {@code execute(request, resultType, action)} each time it is called. */
    public <T> Supplier<T> decorate(IdempotencyRequest request, Class<T> resultType, IdempotentAction<T> action) {
        Objects.requireNonNull(request, "request");
        return () -> execute(request, resultType, action);
    }

    /**
     * Deletes at most {@code limit} records that expired before now.
     *
     * @return the number deleted
     */
    public int pruneExpired(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        return store.pruneExpiredBefore(config.clock().instant(), limit);
    }

    /**
     * An engine with this one's config, codec, listener and lease-renewal thread over another store, e.g. a
     * store bound to one database transaction. Closing it does not stop the shared thread.
     */
    public Idempotency withStore(IdempotencyStore other) {
        return new Idempotency(Objects.requireNonNull(other, "other"), config, codec, listener, leases, false);
    }

    /**
     * An engine with this one's store, config, listener and lease-renewal thread but another result codec, e.g.
     * the servlet filter's codec for captured HTTP responses. Closing it does not stop the shared thread.
     */
    public Idempotency withCodec(ResultCodec other) {
        return new Idempotency(store, config, Objects.requireNonNull(other, "other"), listener, leases, false);
    }

    public IdempotencyConfig config() {
        return config;
    }

    public IdempotencyStore store() {
        return store;
    }

    public ResultCodec codec() {
        return codec;
    }

    /** The listener every decision of this engine is reported to (a store bound to a transaction reports its waits). */
    public IdempotencyListener listener() {
        return listener;
    }

    /** Stops the lease-renewal thread (if this engine owns it). Running actions are not interrupted. */
    @Override
    public void close() {
        if (ownsLeases) {
            leases.close();
        }
    }

    private record Target(RecordId id, Duration ttl) {
    }

    private Target resolveTarget(IdempotencyRequest request) {
        String rawKey = request.keyOrNull();
        if (rawKey != null) {
            IdempotencyKey key = IdempotencyKey.of(rawKey, config.maxKeyLength());
            return new Target(new RecordId(request.scope(), request.action(), key.value()), config.ttl());
        }
        MissingKeyPolicy policy = request.missingKeyPolicy().orElse(config.missingKeyPolicy());
        if (policy instanceof MissingKeyPolicy.Reject) {
            throw new MissingIdempotencyKeyException(request.action());
        }
        if (policy instanceof MissingKeyPolicy.PassThrough) {
            return null;
        }
        if (policy instanceof MissingKeyPolicy.Generate) {
            return new Target(new RecordId(request.scope(), request.action(), UUID.randomUUID().toString()), config.ttl());
        }
        Duration window = ((MissingKeyPolicy.DeriveFromContent) policy).dedupWindow();
        String derived = "content-" + request.fingerprint().base64Url();
        return new Target(new RecordId(request.scope(), request.action(), derived), window);
    }

    /**
     * Waits for an existing record to finish. Returns the replayed outcome, or null when the key became
     * claimable (released, expired, or its owner's lease ended) and the caller should claim again.
     */
    private <T> IdempotentOutcome<T> awaitExisting(StoredRecord first, Fingerprint fingerprint, long deadline, Type type) {
        RecordId id = first.id();
        StoredRecord record = first;
        long waitStart = 0;
        boolean mustWait = first.status() == RecordStatus.IN_PROGRESS && first.fingerprint().equals(fingerprint)
                && !first.leaseExpiredAt(config.clock().instant());
        try (Waiter.Handle handle = mustWait ? store.waiter().register(id) : null) {
            if (mustWait) {
                waitStart = System.nanoTime(); // it found the key in progress: it waits, however briefly
                // The record was read before the handle existed: a completion signalled in between would be lost,
                // so read it once more now that no signal can be missed.
                Optional<StoredRecord> current = callStore("find", id, () -> store.find(id, config.clock().instant()));
                if (current.isEmpty()) {
                    return null;
                }
                record = current.get();
            }
            while (true) {
                if (!record.fingerprint().equals(fingerprint)) {
                    emit(l -> l.onKeyReused(id));
                    throw new IdempotencyKeyReusedException(id);
                }
                if (record.status() != RecordStatus.IN_PROGRESS) {
                    reportWait(id, waitStart);
                    return replay(record, type);
                }
                Instant now = config.clock().instant();
                if (record.leaseExpiredAt(now) || record.expiredAt(now)) {
                    reportWait(id, waitStart);
                    return null;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    reportWait(id, waitStart);
                    emit(l -> l.onConflict(id));
                    throw new IdempotencyConflictException(id, CONFLICT_RETRY_AFTER);
                }
                long untilLeaseEnds = Duration.between(now, record.leaseUntil()).toNanos();
                long wait = Math.min(remaining, Math.min(config.pollInterval().toNanos(), untilLeaseEnds));
                try {
                    handle.await(Duration.ofNanos(Math.max(wait, 1)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    reportWait(id, waitStart);
                    throw new IdempotencyConflictException(id, CONFLICT_RETRY_AFTER, e);
                }
                // A push channel that carried the finished record spares the re-read (the state its owner committed).
                Optional<StoredRecord> next = handle.takeCarried();
                if (next.isEmpty()) {
                    next = callStore("find", id, () -> store.find(id, config.clock().instant()));
                }
                if (next.isEmpty()) {
                    reportWait(id, waitStart);
                    return null;
                }
                record = next.get();
            }
        }
    }

    private void reportWait(RecordId id, long waitStart) {
        if (waitStart != 0) {
            Duration waited = Duration.ofNanos(System.nanoTime() - waitStart);
            emit(l -> l.onWaited(id, waited));
        }
    }

    @SuppressWarnings("unchecked")
    private <T> IdempotentOutcome<T> replay(StoredRecord record, Type type) {
        RecordId id = record.id();
        if (record.status() == RecordStatus.FAILED) {
            emit(l -> l.onErrorReplayed(id));
            throw StoredErrors.toThrowable(record.error());
        }
        StoredResult stored = record.result();
        if (!stored.contentType().equals(codec.contentType())) {
            throw new ResultCodecException("the stored result of " + id + " has content type '" + stored.contentType()
                    + "' but the configured codec reads '" + codec.contentType() + "'");
        }
        byte[] body = stored.body();
        if (ResultEncryption.isSealed(body)) {
            body = config.encryption().orElseThrow(() -> new ResultCodecException("the stored result of " + id
                    + " is encrypted, but no encryption keys are configured")).open(body, id);
        }
        T value = (T) codec.decode(body, type);
        if (listening) {
            emit(l -> l.onResultReplayed(id));
        }
        return IdempotentOutcome.replayed(value, id.key());
    }

    private <T> IdempotentOutcome<T> runAsOwner(RecordId id, OwnerToken token, Type type, IdempotentAction<T> action) {
        T value;
        try (LeaseKeeper.Hold ignored = holdLease(id, token);
             IdempotencyContext.Scope ignoredScope = IdempotencyContext.enter(new IdempotencyContext(id))) {
            value = action.run();
        } catch (Throwable error) {
            throw finishAfterFailure(id, token, error);
        }
        return storeResult(id, token, value, type);
    }

    private LeaseKeeper.Hold holdLease(RecordId id, OwnerToken token) {
        return store.leaseRenewalNeeded() ? leases.hold(store, id, token) : LeaseKeeper.none();
    }

    private <T> IdempotentOutcome<T> storeResult(RecordId id, OwnerToken token, T value, Type type) {
        StoredResult encoded;
        try {
            byte[] body = codec.encode(value, type);
            if (config.encryption().isPresent()) {
                body = config.encryption().get().seal(body, id);
            }
            encoded = new StoredResult(body, codec.contentType());
        } catch (RuntimeException e) {
            ResultCodecException failure = e instanceof ResultCodecException rce
                    ? rce : new ResultCodecException("could not encode the result of " + id, e);
            log.error("The action for {} ran but its result cannot be encoded; the key is marked failed so it "
                    + "does not run again", id, failure);
            writeAfterRun("fail", id, () -> store.fail(id, token, StoredErrors.toStored(failure)));
            throw failure;
        }
        boolean stored = writeAfterRun("complete", id, () -> store.complete(id, token, encoded));
        if (listening) {
            emit(l -> l.onCompleted(id, stored));
        }
        return IdempotentOutcome.executed(value, id.key());
    }

    private RuntimeException finishAfterFailure(RecordId id, OwnerToken token, Throwable error) {
        if (error instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        ErrorPolicy.Disposition disposition;
        if (error instanceof ReleaseKey) {
            disposition = ErrorPolicy.Disposition.RELEASE; // the action's own verdict: no policy may store it
        } else {
            try {
                disposition = config.errorPolicy().classify(error);
            } catch (RuntimeException policyFailure) {
                log.warn("The error policy failed on {}; releasing the key", error, policyFailure);
                disposition = ErrorPolicy.Disposition.RELEASE;
            }
        }
        if (disposition == ErrorPolicy.Disposition.REPLAY) {
            if (writeAfterRun("fail", id, () -> store.fail(id, token, StoredErrors.toStored(error)))) {
                emit(l -> l.onErrorStored(id));
            }
        } else if (writeAfterRun("release", id, () -> store.release(id, token))) {
            emit(l -> l.onReleased(id));
        }
        if (error instanceof RuntimeException runtime) {
            return runtime;
        }
        if (error instanceof Error fatal) {
            throw fatal;
        }
        return new IdempotentActionException(error);
    }

    /**
     * A write after the action ran: a store failure must not hide the action's own outcome, so it is
     * logged (the record stays in progress until its lease ends) and reported as not written.
     */
    private boolean writeAfterRun(String operation, RecordId id, Supplier<Boolean> write) {
        boolean written;
        try {
            written = write.get();
        } catch (RuntimeException e) {
            // a claim held by an open transaction (no lease) goes with that transaction instead
            log.error("Could not {} the record {} after its action ran; {}", operation, id,
                    store.leaseRenewalNeeded() ? "it stays in progress until its lease ends"
                            : "its transaction must not commit", e);
            return false;
        }
        if (!written) {
            log.warn("Refused to {} {}: this owner's lease was taken over by another owner", operation, id);
            emit(l -> l.onFencedWrite(id));
        }
        return written;
    }

    private static <T> T runUnprotected(IdempotentAction<T> action) {
        try {
            return action.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IdempotentActionException(e);
        }
    }

    private static <R> R callStore(String operation, RecordId id, Supplier<R> call) {
        try {
            return call.get();
        } catch (IdempotencyException e) {
            throw e; // the store's own typed answer (unavailable, or a conflict it detected itself)
        } catch (RuntimeException e) {
            throw new IdempotencyStoreException("the idempotency store failed to " + operation + " " + id, e);
        }
    }

    private void emit(Consumer<IdempotencyListener> event) {
        try {
            event.accept(listener);
        } catch (RuntimeException e) {
            log.warn("An IdempotencyListener threw; ignored", e);
        }
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** Collects the engine's parts; not thread-safe. */
    public static final class Builder {
        private final IdempotencyStore store;
        private IdempotencyConfig config = IdempotencyConfig.ofDefaults();
        private ResultCodec codec = new SimpleResultCodec();
        private IdempotencyListener listener = IdempotencyListener.NONE;

        private Builder(IdempotencyStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        public Builder config(IdempotencyConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** The result codec; default {@link SimpleResultCodec} (strings, bytes, numbers). */
        public Builder codec(ResultCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        public Builder listener(IdempotencyListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public Idempotency build() {
            return new Idempotency(store, config, codec, listener,
                    new LeaseKeeper(config.clock(), config.lease(), config.renewalInterval()), true);
        }
    }
}
