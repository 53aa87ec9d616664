package dev.idem.spring;

import dev.idem.Idempotency;
import dev.idem.IdempotencyRequest;
import dev.idem.IdempotentAction;
import dev.idem.IdempotentOutcome;
import dev.idem.postgres.PostgresIdempotencyStore;
import dev.idem.postgres.TransactionalIdempotency;
import dev.idem.servlet.RouteTransaction;
import dev.idem.spi.ForwardingIdempotencyStore;
import dev.idem.spi.IdempotencyStore;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.util.ReflectionUtils;

/**
 * Transactional routes on Spring's transaction manager: {@link TransactionalIdempotency} over the PostgreSQL store,
 * its transactions opened by {@link SpringTransactionRunner}. {@link #of} refuses, with a message saying what to
 * change, every set-up in which the record and the handler's writes could not share one transaction: another store,
 * a transaction manager without the store's {@code DataSource}, or an isolation level other than READ COMMITTED.
 * Thread-safe.
 */
final class SpringRouteTransaction implements RouteTransaction {

    private static final Logger log = LoggerFactory.getLogger(SpringRouteTransaction.class);

    private final PostgresIdempotencyStore store;
    private final SpringTransactionRunner transactions;

    private SpringRouteTransaction(PostgresIdempotencyStore store, SpringTransactionRunner transactions) {
        this.store = store;
        this.transactions = transactions;
    }

    /** {@link TransactionalIdempotency} on these transactions, for code other than an HTTP route. */
    TransactionalIdempotency transactionalIdempotency(Idempotency idempotency) {
        return new TransactionalIdempotency(idempotency, store, transactions);
    }

    /**
     * @throws IllegalStateException naming what keeps transactional mode from working with this set-up
     */
    static SpringRouteTransaction of(IdempotencyStore store, PlatformTransactionManager manager) {
        PostgresIdempotencyStore postgres = postgres(store);
        if (postgres == null) {
            IdempotencyStore raw = unwrapped(store);
            throw refused("they need the PostgreSQL store (idem.store=postgres), but the store is "
                    + (raw == null ? "missing" : raw.getClass().getSimpleName()));
        }
        if (manager == null) {
            throw refused("they need one PlatformTransactionManager bean (a DataSourceTransactionManager or a "
                    + "JpaTransactionManager over the store's DataSource), and there is none or more than one");
        }
        DataSource managed = managedDataSource(manager);
        if (managed == null) {
            throw refused("the transaction manager " + manager.getClass().getSimpleName() + " manages no DataSource;"
                    + " use a DataSourceTransactionManager or a JpaTransactionManager");
        }
        if (target(managed) != target(postgres.dataSource())) {
            throw refused("the transaction manager manages another DataSource than the one holding the idempotency "
                    + "table, so the record and the handler's writes could not commit together");
        }
        requireReadCommitted(postgres.dataSource());
        return new SpringRouteTransaction(postgres, new SpringTransactionRunner(manager, managed));
    }

    @Override
    public <T> IdempotentOutcome<T> execute(Idempotency engine, IdempotencyRequest request, Type resultType,
                                            IdempotentAction<T> action, Predicate<? super T> keepsWrites) {
        return new TransactionalIdempotency(engine, store, transactions)
                .executeForOutcome(request, resultType, connection -> action.run(), keepsWrites);
    }

    /** DataSourceTransactionManager and JpaTransactionManager (spring-orm is optional, hence by name) both have it. */
    private static DataSource managedDataSource(PlatformTransactionManager manager) {
        Method getter = ReflectionUtils.findMethod(manager.getClass(), "getDataSource");
        if (getter == null || !DataSource.class.isAssignableFrom(getter.getReturnType())) {
            return null;
        }
        return (DataSource) ReflectionUtils.invokeMethod(getter, manager);
    }

    private static DataSource target(DataSource dataSource) {
        DataSource current = dataSource;
        while (current instanceof DelegatingDataSource delegating && delegating.getTargetDataSource() != null) {
            current = delegating.getTargetDataSource();
        }
        return current;
    }

    private static void requireReadCommitted(DataSource dataSource) {
        int isolation;
        try (Connection connection = dataSource.getConnection()) {
            isolation = connection.getTransactionIsolation();
        } catch (SQLException e) {
            log.warn("Idem could not check the isolation level of the DataSource for its transactional routes ({});"
                    + " they need READ COMMITTED", e.getMessage());
            return;
        }
        if (isolation != Connection.TRANSACTION_READ_COMMITTED) {
            throw refused("they need READ COMMITTED isolation (a duplicate must see the record it waited for), but "
                    + "the DataSource's connections use level " + isolation);
        }
    }

    /** The PostgreSQL store behind {@code store} (itself, or the one a forwarding store wraps), else null. */
    static PostgresIdempotencyStore postgres(IdempotencyStore store) {
        return unwrapped(store) instanceof PostgresIdempotencyStore postgres ? postgres : null;
    }

    private static IdempotencyStore unwrapped(IdempotencyStore store) {
        return store instanceof ForwardingIdempotencyStore forwarding ? forwarding.delegate() : store;
    }

    private static IllegalStateException refused(String reason) {
        return new IllegalStateException("Idem cannot run transactional routes (idem.http.transactional-paths or "
                + "@IdempotentRoute(commit = TRANSACTIONAL)): " + reason);
    }
}
