package dev.idem.postgres;

import dev.idem.ErrorPolicy;
import dev.idem.Idempotency;
import dev.idem.IdempotencyRequest;
import dev.idem.IdempotencyStoreException;
import dev.idem.IdempotentOutcome;
import java.lang.reflect.Type;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Transactional mode ("atomic phases"): the claim, the action's own writes and the completed record commit in
 * one PostgreSQL transaction, so "effect committed but result lost" cannot happen, and a crash anywhere before
 * the commit leaves neither the effect nor the record. A concurrent duplicate blocks on the uncommitted claim
 * (up to {@code maxWait}, then {@link dev.idem.IdempotencyConflictException}) and then replays the committed
 * result: one commit per lifecycle and no polling. The claim travels with the transaction's BEGIN, and the
 * completion with its COMMIT, so the record costs two round trips.
 *
 * <p>A deterministic error ({@link ErrorPolicy.Disposition#REPLAY}) rolls back the action's writes but commits
 * the failed record, so retries get the same error; any other error rolls everything back, so a retry runs
 * again. A completion that cannot be written rolls everything back too ({@link IdempotencyStoreException}). Use it
 * for actions that only touch this database; actions calling slow external services should use {@link Idempotency}
 * directly (two phases with a lease), because a held transaction holds a connection and row locks. The connection
 * must use READ COMMITTED isolation. Thread-safe.
 */
public final class TransactionalIdempotency {

    private final Idempotency idempotency;
    private final PostgresIdempotencyStore store;
    private final TransactionRunner transactions;

    /** Transactions on connections of the store's own data source ({@link TransactionRunner#jdbc}). */
    public TransactionalIdempotency(Idempotency idempotency, PostgresIdempotencyStore store) {
        this(idempotency, store, TransactionRunner.jdbc(Objects.requireNonNull(store, "store").dataSource()));
    }

    /**
     * Transactions opened by {@code transactions}, which must give connections of the database that holds the
     * store's table (a framework's transaction manager over the store's data source).
     */
    public TransactionalIdempotency(Idempotency idempotency, PostgresIdempotencyStore store,
                                    TransactionRunner transactions) {
        this.idempotency = Objects.requireNonNull(idempotency, "idempotency");
        this.store = Objects.requireNonNull(store, "store");
        this.transactions = Objects.requireNonNull(transactions, "transactions");
    }

    /**
     * Runs {@code action} in a new transaction and commits it before returning. The connection keeps its isolation
     * level, which must be READ COMMITTED (PostgreSQL's default): under REPEATABLE READ a duplicate could not see the
     * committed record it waited for.
     */
    public <T> T execute(IdempotencyRequest request, Class<T> resultType, TransactionalAction<T> action) {
        return executeForOutcome(request, resultType, action).value();
    }

    /** Like {@link #execute}, also saying whether the result was replayed. */
    public <T> IdempotentOutcome<T> executeForOutcome(IdempotencyRequest request, Type resultType,
                                                      TransactionalAction<T> action) {
        return executeForOutcome(request, resultType, action, result -> true);
    }

    /**
     * Like {@link #executeForOutcome(IdempotencyRequest, Type, TransactionalAction)}, but a result for which
     * {@code keepsWrites} is false is stored and replayed while the action's own writes are rolled back: an HTTP
     * handler that answered 404 or 422 keeps its answer, not its half-done writes.
     */
    public <T> IdempotentOutcome<T> executeForOutcome(IdempotencyRequest request, Type resultType,
                                                      TransactionalAction<T> action,
                                                      Predicate<? super T> keepsWrites) {
        Objects.requireNonNull(keepsWrites, "keepsWrites");
        Settled<T> settled = transactions.inTransaction(transaction -> {
            Connection connection = transaction.connection();
            TransactionBoundStore bound = bind(connection, transaction::commitMayFollowCompletion);
            IdempotentOutcome<T> outcome;
            try {
                outcome = idempotency.withStore(bound).executeForOutcome(request, resultType, () -> {
                    T result = action.run(connection);
                    transaction.flush();
                    if (!keepsWrites.test(result)) {
                        bound.rollbackActionWrites();
                    }
                    return result;
                });
            } catch (RuntimeException | Error failure) {
                if (bound.failureRecorded() && !bound.writeFailed()) {
                    return new Settled<>(null, failure); // commit the deterministic error's record, then rethrow
                }
                throw failure;
            } finally {
                bound.reportWait(idempotency.listener());
            }
            if (bound.writeFailed()) {
                throw new IdempotencyStoreException("the idempotency record could not be completed, so the action's "
                        + "writes were rolled back with it; retrying is safe");
            }
            return new Settled<>(outcome, null);
        });
        return settled.outcomeOrThrow();
    }

    /**
     * Runs {@code action} inside the caller's open transaction on {@code connection} (auto-commit off, READ
     * COMMITTED). The caller commits; if it rolls back instead, the record goes too and a retry runs again.
     *
     * @throws IllegalArgumentException if the connection is in auto-commit mode
     */
    public <T> IdempotentOutcome<T> executeInTransaction(Connection connection, IdempotencyRequest request,
                                                         Type resultType, TransactionalAction<T> action) {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(action, "action");
        try {
            if (connection.getAutoCommit()) {
                throw new IllegalArgumentException("the connection must be inside a transaction (auto-commit off)");
            }
        } catch (SQLException e) {
            throw PostgresIdempotencyStore.failure("inspect the connection for", null, e);
        }
        TransactionBoundStore bound = bind(connection, () -> false); // the caller commits, maybe after more writes
        try {
            return idempotency.withStore(bound).executeForOutcome(request, resultType, () -> action.run(connection));
        } finally {
            bound.reportWait(idempotency.listener());
        }
    }

    private TransactionBoundStore bind(Connection connection, BooleanSupplier commitWithCompletion) {
        return store.boundTo(connection, idempotency.config().maxWait().toMillis(), commitWithCompletion);
    }

    /** The failure of a commit, as every transaction runner reports it: nothing of the transaction was kept. */
    static IdempotencyStoreException commitFailed(SQLException e) {
        return new IdempotencyStoreException("the commit failed, so the action's writes and its idempotency record "
                + "were discarded together; retrying is safe (SQLState " + e.getSQLState() + ")", e);
    }

    /** What a transaction settled on: an outcome to return, or a recorded deterministic error to rethrow. */
    private record Settled<T>(IdempotentOutcome<T> outcome, Throwable failure) {
        IdempotentOutcome<T> outcomeOrThrow() {
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failure instanceof Error error) {
                throw error;
            }
            return outcome;
        }
    }
}
