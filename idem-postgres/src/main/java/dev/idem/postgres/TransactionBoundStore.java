package dev.idem.postgres;

import dev.idem.IdempotencyConflictException;
import dev.idem.IdempotencyListener;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import dev.idem.spi.StoredError;
import dev.idem.spi.StoredRecord;
import dev.idem.spi.StoredResult;
import dev.idem.spi.Waiter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The PostgreSQL store bound to one connection inside an open transaction. The claim's row stays uncommitted
 * until the caller commits, so a concurrent duplicate's INSERT waits on it (for at most the lock timeout) and
 * then sees the finished record; if this transaction dies, the claim vanishes with it, so no lease renewal is
 * needed. A savepoint after the claim lets a failing action's writes be undone while the record of a
 * deterministic error is kept. Not thread-safe: one transaction, one thread.
 */
final class TransactionBoundStore implements IdempotencyStore {

    private static final String SAVEPOINT = "idem_action";
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private final PostgresIdempotencyStore parent;
    private final PostgresRecords records;
    private final Connection connection;
    private final long lockTimeoutMillis;
    private final BooleanSupplier commitWithCompletion;
    private boolean writeFailed;
    private boolean failureRecorded;
    private Wait waited;

    /**
     * @param commitWithCompletion asked when the record completes: whether its COMMIT may go out in the same round
     *                             trip (false when the caller still has writes to make before it commits)
     */
    TransactionBoundStore(PostgresIdempotencyStore parent, PostgresRecords records, Connection connection,
                          long lockTimeoutMillis, BooleanSupplier commitWithCompletion) {
        this.parent = parent;
        this.records = records;
        this.connection = connection;
        this.lockTimeoutMillis = Math.max(1, lockTimeoutMillis);
        this.commitWithCompletion = commitWithCompletion;
    }

    @Override
    public ClaimResult claim(ClaimRequest request) {
        long started = System.nanoTime();
        boolean[] concurrent = new boolean[1];
        try {
            // one round trip: bound the wait on a concurrent claim, claim, then lift the bound and set the
            // savepoint that lets a failing action's writes be undone without undoing the claim
            ClaimResult result = records.claim(connection, request, "SET LOCAL lock_timeout = " + lockTimeoutMillis + "; ",
                    "SET LOCAL lock_timeout = DEFAULT; SAVEPOINT " + SAVEPOINT, () -> concurrent[0] = true);
            if (concurrent[0]) {
                waited = new Wait(request.id(), Duration.ofNanos(System.nanoTime() - started), false);
            }
            if (result instanceof ClaimResult.Claimed claimed && claimed.takeover()) {
                run("SAVEPOINT " + SAVEPOINT); // the takeover was a second statement, after the first savepoint
            }
            return result;
        } catch (SQLException e) {
            if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                waited = new Wait(request.id(), Duration.ofNanos(System.nanoTime() - started), true);
                throw new IdempotencyConflictException(request.id(), Duration.ofSeconds(1), e);
            }
            throw PostgresIdempotencyStore.failure("claim", request.id(), e);
        }
    }

    /**
     * Reports a wait on another request's uncommitted claim as the engine reports a wait on a record in progress
     * ({@code onWaited}, and {@code onConflict} when it ran out), so that metrics read the same in both modes.
     */
    void reportWait(IdempotencyListener listener) {
        Wait wait = waited;
        if (wait == null) {
            return;
        }
        try {
            listener.onWaited(wait.id(), wait.duration());
            if (wait.timedOut()) {
                listener.onConflict(wait.id());
            }
        } catch (RuntimeException e) {
            // a listener must not change the request's outcome; the engine ignores its failures the same way
        }
    }

    /** A wait of this transaction's claim on a concurrent one. */
    private record Wait(RecordId id, Duration duration, boolean timedOut) {
    }

    @Override
    public Optional<StoredRecord> find(RecordId id, Instant now) {
        return call("find", id, c -> records.find(c, id, now));
    }

    @Override
    public boolean complete(RecordId id, OwnerToken token, StoredResult result) {
        boolean commit = commitWithCompletion.getAsBoolean();
        return write("complete", id, c -> commit
                ? parent.committed(records.completeAndCommit(c, id, token, result))
                : records.complete(c, id, token, result) != null);
    }

    @Override
    public boolean fail(RecordId id, OwnerToken token, StoredError error) {
        failureRecorded = write("fail", id, c -> {
            run("ROLLBACK TO SAVEPOINT " + SAVEPOINT); // the action's writes go, the claim stays
            return records.fail(c, id, token, error) != null;
        });
        return failureRecorded;
    }

    @Override
    public boolean release(RecordId id, OwnerToken token) {
        return write("release", id, c -> {
            run("ROLLBACK TO SAVEPOINT " + SAVEPOINT);
            return records.release(c, id, token);
        });
    }

    /** Undoes the action's writes since the claim; the claim stays, to be completed with a result that keeps none. */
    void rollbackActionWrites() {
        call("roll back the action's writes for", null, c -> {
            run("ROLLBACK TO SAVEPOINT " + SAVEPOINT);
            return null;
        });
    }

    /** Whether a completion, failure or release failed or was refused: then the transaction must not commit. */
    boolean writeFailed() {
        return writeFailed;
    }

    /** Whether a deterministic error's record was written: then the transaction commits although the action threw. */
    boolean failureRecorded() {
        return failureRecorded;
    }

    @Override
    public boolean renewLease(RecordId id, OwnerToken token, Instant leaseUntil) {
        return call("renew the lease of", id, c -> records.renewLease(c, id, token, leaseUntil));
    }

    @Override
    public int pruneExpiredBefore(Instant cutoff, int limit) {
        return parent.pruneExpiredBefore(cutoff, limit);
    }

    @Override
    public Waiter waiter() {
        return parent.waiter();
    }

    @Override
    public boolean leaseRenewalNeeded() {
        return false;
    }

    /** A write after the claim: remembered when it fails or is refused. */
    private boolean write(String operation, RecordId id, PostgresIdempotencyStore.SqlCall<Boolean> work) {
        boolean written = false;
        try {
            written = call(operation, id, work);
            return written;
        } finally {
            writeFailed |= !written;
        }
    }

    /** Runs {@code work} on this transaction's connection; SQL errors become store exceptions naming the id. */
    private <R> R call(String operation, RecordId id, PostgresIdempotencyStore.SqlCall<R> work) {
        try {
            return work.apply(connection);
        } catch (SQLException e) {
            throw PostgresIdempotencyStore.failure(operation, id, e);
        }
    }

    private void run(String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }
}
