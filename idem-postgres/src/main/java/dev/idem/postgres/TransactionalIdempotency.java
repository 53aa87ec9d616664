package dev.idem.postgres;

import dev.idem.ErrorPolicy;
import dev.idem.Idempotency;
import dev.idem.IdempotencyRequest;
import dev.idem.IdempotencyStoreException;
import dev.idem.IdempotentActionException;
import dev.idem.IdempotentOutcome;
import java.lang.reflect.Type;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

/**
 * Transactional mode ("atomic phases"): the claim, the action's own writes and the completed record commit in
 * one PostgreSQL transaction, so "effect committed but result lost" cannot happen, and a crash anywhere before
 * the commit leaves neither the effect nor the record. A concurrent duplicate blocks on the uncommitted claim
 * (up to {@code maxWait}, then {@link dev.idem.IdempotencyConflictException}) and then replays the committed
 * result: one commit per lifecycle and no polling.
 *
 * <p>A deterministic error ({@link ErrorPolicy.Disposition#REPLAY}) rolls back the action's writes but commits
 * the failed record, so retries get the same error; any other error rolls everything back, so a retry runs
 * again. Use it for actions that only touch this database; actions calling slow external services should use
 * {@link Idempotency} directly (two phases with a lease). The connection must use READ COMMITTED isolation.
 * Thread-safe.
 */
public final class TransactionalIdempotency {

    private final Idempotency idempotency;
    private final PostgresIdempotencyStore store;

    public TransactionalIdempotency(Idempotency idempotency, PostgresIdempotencyStore store) {
        this.idempotency = Objects.requireNonNull(idempotency, "idempotency");
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Runs {@code action} in a new transaction on a connection of the store's data source and commits it. The
     * connection keeps its isolation level, which must be READ COMMITTED (PostgreSQL's default): under REPEATABLE
     * READ a duplicate could not see the committed record it waited for.
     */
    public <T> T execute(IdempotencyRequest request, Class<T> resultType, TransactionalAction<T> action) {
        return executeForOutcome(request, resultType, action).value();
    }

    /** Like {@link #execute}, also saying whether the result was replayed. */
    public <T> IdempotentOutcome<T> executeForOutcome(IdempotencyRequest request, Type resultType,
                                                      TransactionalAction<T> action) {
        Connection connection;
        try {
            connection = store.dataSource().getConnection();
        } catch (SQLException e) {
            throw PostgresIdempotencyStore.failure("open a transaction for", null, e);
        }
        try (connection) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                IdempotentOutcome<T> outcome = executeInTransaction(connection, request, resultType, action);
                commit(connection);
                return outcome;
            } catch (RuntimeException | Error failure) {
                finishAfterFailure(connection, failure);
                throw failure;
            } finally {
                restore(connection, autoCommit);
            }
        } catch (SQLException e) {
            throw PostgresIdempotencyStore.failure("manage the transaction of", null, e);
        }
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
        long lockTimeout = idempotency.config().maxWait().toMillis();
        Idempotency bound = idempotency.withStore(store.boundTo(connection, lockTimeout));
        return bound.executeForOutcome(request, resultType, () -> action.run(connection));
    }

    private void commit(Connection connection) {
        try {
            connection.commit();
        } catch (SQLException e) {
            rollbackQuietly(connection, e);
            throw new IdempotencyStoreException("the commit failed, so the action's writes and its idempotency record "
                    + "were discarded together; retrying is safe (SQLState " + e.getSQLState() + ")", e);
        }
    }

    /** A recorded deterministic error is committed (for replay); anything else is rolled back. */
    private void finishAfterFailure(Connection connection, Throwable failure) {
        Throwable cause = failure instanceof IdempotentActionException && failure.getCause() != null
                ? failure.getCause() : failure;
        boolean recorded;
        try {
            recorded = idempotency.config().errorPolicy().classify(cause) == ErrorPolicy.Disposition.REPLAY;
        } catch (RuntimeException e) {
            recorded = false;
        }
        if (recorded) {
            try {
                connection.commit();
                return;
            } catch (SQLException e) {
                failure.addSuppressed(e);
            }
        }
        rollbackQuietly(connection, failure);
    }

    private static void rollbackQuietly(Connection connection, Throwable primary) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            primary.addSuppressed(e);
        }
    }

    private static void restore(Connection connection, boolean autoCommit) {
        try {
            connection.setAutoCommit(autoCommit);
        } catch (SQLException ignored) {
            // the pool validates or discards a broken connection
        }
    }
}
