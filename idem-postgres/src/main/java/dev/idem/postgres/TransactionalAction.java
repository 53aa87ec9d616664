package dev.idem.postgres;

import java.sql.Connection;

/**
 * Work that writes through the given connection, inside the transaction that also records its idempotency
 * key. It must not commit, roll back or close the connection.
 *
 * @param <T> the result type, replayed to every retry
 */
@FunctionalInterface
public interface TransactionalAction<T> {
    T run(Connection connection) throws Exception;
}
