package dev.idem.postgres;

import java.sql.Connection;
import javax.sql.DataSource;

/**
 * Opens, commits and rolls back the database transaction that {@link TransactionalIdempotency} runs a request in.
 * {@link #jdbc(DataSource)} manages a connection of its own; a framework binds its own transaction instead (the Spring
 * Boot starter joins Spring's transaction manager, so the application's {@code JdbcClient}, {@code JdbcTemplate} or
 * JPA writes go through the same connection as the claim and the completion). Implementations are thread-safe; each
 * call is one transaction on the calling thread.
 */
public interface TransactionRunner {

    /**
     * Runs {@code work} in a new transaction, commits it when {@code work} returns and rolls it back when it throws
     * (the exception is rethrown unchanged).
     *
     * @throws dev.idem.IdempotencyStoreException the transaction could not be opened or committed; nothing of it was
     *                                            kept
     */
    <R> R inTransaction(Work<R> work);

    /** What runs inside the transaction; it must not commit, roll back or close the connection. */
    @FunctionalInterface
    interface Work<R> {
        R run(OpenTransaction transaction);
    }

    /** The transaction a {@link Work} runs in. Not thread-safe: one transaction, one thread. */
    interface OpenTransaction {

        /** The transaction's connection (auto-commit off, READ COMMITTED). */
        Connection connection();

        /**
         * Sends the writes the application still holds back (an ORM's pending changes) to the database, so that they
         * run before the record is completed. Plain JDBC holds nothing back: a no-op.
         */
        default void flush() {
        }

        /**
         * Whether the store may send the transaction's COMMIT together with the completion of the record, in one round
         * trip. True when nothing else is registered to run at commit, so no write can follow the completion.
         */
        default boolean commitMayFollowCompletion() {
            return true;
        }
    }

    /** Transactions on connections of {@code dataSource}, each opened, committed and closed here. */
    static TransactionRunner jdbc(DataSource dataSource) {
        return new JdbcTransactionRunner(dataSource);
    }
}
