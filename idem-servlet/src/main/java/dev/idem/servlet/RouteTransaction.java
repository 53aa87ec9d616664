package dev.idem.servlet;

import dev.idem.Idempotency;
import dev.idem.IdempotencyRequest;
import dev.idem.IdempotentAction;
import dev.idem.IdempotentOutcome;
import java.lang.reflect.Type;
import java.util.function.Predicate;

/**
 * How {@link IdempotencyFilter} runs a route in transactional mode: the claim, the handler's own writes and the
 * stored response commit in one database transaction, and {@link #execute} returns only after that commit, so the
 * client never sees a response whose effect or record could still be lost. The Spring Boot starter implements it
 * over Spring's transaction manager; {@link JdbcRouteTransaction} over a plain {@code DataSource}. Implementations
 * are thread-safe.
 */
@FunctionalInterface
public interface RouteTransaction {

    /**
     * Runs {@code action} once per key inside one transaction with its record, as
     * {@code dev.idem.postgres.TransactionalIdempotency} does, through {@code engine} (its config, codec and
     * listener), and commits.
     *
     * @param keepsWrites false for a result that is stored and replayed while the handler's writes are rolled back
     * @throws dev.idem.IdempotencyStoreException the transaction could not be opened, or its commit failed: nothing of
     *                                            the request was kept
     */
    <T> IdempotentOutcome<T> execute(Idempotency engine, IdempotencyRequest request, Type resultType,
                                     IdempotentAction<T> action, Predicate<? super T> keepsWrites);
}
