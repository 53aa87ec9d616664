package dev.idem.postgres;

import dev.idem.IdempotencyStoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * {@link TransactionRunner#jdbc(DataSource)}: a connection of the data source per transaction, auto-commit off while
 * the work runs and restored afterwards. Thread-safe.
 */
final class JdbcTransactionRunner implements TransactionRunner {

    private final DataSource dataSource;

    JdbcTransactionRunner(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    @Override
    public <R> R inTransaction(Work<R> work) {
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException e) {
            throw PostgresIdempotencyStore.failure("open a transaction for", null, e);
        }
        try (connection) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                R result;
                try {
                    result = work.run(() -> connection);
                } catch (RuntimeException | Error failure) {
                    rollbackQuietly(connection, failure);
                    throw failure;
                }
                commit(connection);
                return result;
            } finally {
                restore(connection, autoCommit);
            }
        } catch (SQLException e) {
            throw PostgresIdempotencyStore.failure("manage the transaction of", null, e);
        }
    }

    private static void commit(Connection connection) {
        try {
            connection.commit();
        } catch (SQLException e) {
            rollbackQuietly(connection, e);
            throw TransactionalIdempotency.commitFailed(e);
        }
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
