package dev.idem.servlet;

import dev.idem.Idempotency;
import dev.idem.IdempotencyRequest;
import dev.idem.IdempotentAction;
import dev.idem.IdempotentOutcome;
import dev.idem.postgres.PostgresIdempotencyStore;
import dev.idem.postgres.TransactionalIdempotency;
import java.lang.reflect.Type;
import java.sql.Connection;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Transactional mode without a framework: each transactional request runs in a transaction on a connection of the
 * store's own {@code DataSource}, and the handler writes through {@link #connection()}, the same connection that
 * carries the claim and the stored response. Needs {@code idem-postgres} on the class path. The connection is bound
 * to the request's thread, so the handler must do its writes on that thread (no async servlets). Thread-safe.
 *
 * <pre>{@code
 * IdempotencyFilterConfig.builder()
 *         .transactional(request -> request.getRequestURI().startsWith("/orders"), new JdbcRouteTransaction(store))
 *         .build();
 * // in the servlet:
 * try (PreparedStatement insert = JdbcRouteTransaction.connection().prepareStatement("INSERT ...")) { ... }
 * }</pre>
 */
public final class JdbcRouteTransaction implements RouteTransaction {

    private static final ThreadLocal<Connection> CURRENT = new ThreadLocal<>();

    private final PostgresIdempotencyStore store;

    public JdbcRouteTransaction(PostgresIdempotencyStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * The connection of the transaction the calling thread's request runs in. It must not be committed, rolled back
     * or closed: the filter does that.
     *
     * @throws IllegalStateException outside a transactional route
     */
    public static Connection connection() {
        Connection connection = CURRENT.get();
        if (connection == null) {
            throw new IllegalStateException("no transactional route is running on this thread: declare the route with "
                    + "IdempotencyFilterConfig.Builder.transactional(routes, new JdbcRouteTransaction(store))");
        }
        return connection;
    }

    @Override
    public <T> IdempotentOutcome<T> execute(Idempotency engine, IdempotencyRequest request, Type resultType,
                                            IdempotentAction<T> action, Predicate<? super T> keepsWrites) {
        return new TransactionalIdempotency(engine, store).executeForOutcome(request, resultType, connection -> {
            CURRENT.set(connection);
            try {
                return action.run();
            } finally {
                CURRENT.remove();
            }
        }, keepsWrites);
    }
}
