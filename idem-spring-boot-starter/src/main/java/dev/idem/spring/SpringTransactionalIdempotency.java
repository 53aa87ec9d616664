package dev.idem.spring;

import dev.idem.Idempotency;
import dev.idem.postgres.TransactionalIdempotency;
import dev.idem.spi.IdempotencyStore;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * {@link TransactionalIdempotency} on Spring's transactions, for idempotent work outside an HTTP route (a webhook or
 * message consumer, a job): the claim, the work's writes through {@code JdbcClient}, {@code JdbcTemplate} or JPA,
 * and the stored result commit in one transaction. Define it as a bean:
 * {@code SpringTransactionalIdempotency.of(idempotency, store, transactionManager)}. Stateless.
 */
public final class SpringTransactionalIdempotency {

    private SpringTransactionalIdempotency() {
    }

    /**
     * Whether {@link #of} can work on {@code store}: it is the PostgreSQL store, possibly wrapped (metered). Code that
     * also runs on another store (Redis, in-memory) can pick its two-phase path with this.
     */
    public static boolean supports(IdempotencyStore store) {
        return SpringRouteTransaction.postgres(store) != null;
    }

    /**
     * @param store the starter's store bean (the PostgreSQL store, possibly metered)
     * @throws IllegalStateException naming what to change when the store is not PostgreSQL, or the transaction
     *                               manager does not manage the store's {@code DataSource} at READ COMMITTED
     */
    public static TransactionalIdempotency of(Idempotency idempotency, IdempotencyStore store,
                                              PlatformTransactionManager transactionManager) {
        return SpringRouteTransaction.of(store, transactionManager).transactionalIdempotency(idempotency);
    }
}
