package dev.idem.spring;

import dev.idem.IdempotencyStoreException;
import dev.idem.postgres.TransactionRunner;
import java.sql.Connection;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Transactions of Spring's transaction manager: the connection is the one {@code DataSourceUtils} binds to the
 * thread, so {@code JdbcClient}, {@code JdbcTemplate}, JPA and joining {@code @Transactional} methods write through it;
 * a flush sends JPA's pending changes before the record completes. Each call runs in a transaction of its own
 * ({@code REQUIRES_NEW}), so its commit is really the request's. Thread-safe.
 */
final class SpringTransactionRunner implements TransactionRunner {

    private final TransactionTemplate template;
    private final DataSource dataSource;

    SpringTransactionRunner(PlatformTransactionManager manager, DataSource dataSource) {
        this.template = new TransactionTemplate(manager);
        this.template.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.dataSource = dataSource;
    }

    @Override
    public <R> R inTransaction(Work<R> work) {
        Throwable[] fromWork = new Throwable[1];
        try {
            return template.execute(status -> {
                Connection connection = DataSourceUtils.getConnection(dataSource);
                try {
                    return work.run(new OpenTransaction() {
                        @Override
                        public Connection connection() {
                            return connection;
                        }

                        @Override
                        public void flush() {
                            status.flush();
                        }

                        @Override
                        public boolean commitMayFollowCompletion() {
                            // a synchronization registered by the application may still write before the commit
                            return TransactionSynchronizationManager.getSynchronizations().isEmpty();
                        }
                    });
                } catch (RuntimeException | Error e) {
                    fromWork[0] = e;
                    throw e;
                } finally {
                    DataSourceUtils.releaseConnection(connection, dataSource);
                }
            });
        } catch (RuntimeException e) {
            if (e == fromWork[0]) {
                throw e;
            }
            // opening, committing or rolling back failed: nothing of the transaction was kept
            throw new IdempotencyStoreException("the transaction of the request could not be opened or committed, so "
                    + "neither the handler's writes nor its idempotency record were kept; retrying is safe", e);
        }
    }
}
