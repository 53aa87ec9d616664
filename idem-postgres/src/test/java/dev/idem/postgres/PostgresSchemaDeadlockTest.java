package dev.idem.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.IdempotencyStoreException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Schema creation at start-up can deadlock with another instance starting or with live traffic; PostgreSQL then
 * aborts one side with SQLState 40P01. The DDL is idempotent, so it is run again (5 runs at most); any other failure
 * is reported at once. The first runs fail as PostgreSQL's deadlock detector would; the one that succeeds runs on the
 * real PostgreSQL.
 */
class PostgresSchemaDeadlockTest {

    /** The real DataSource, whose first {@code failures} connections fail with {@code sqlState}. */
    private static DataSource failingFirst(int failures, String sqlState, AtomicInteger calls) {
        DataSource real = PostgresFixture.dataSource();
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && calls.incrementAndGet() <= failures) {
                        throw new SQLException("ERROR: deadlock detected", sqlState);
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void aDeadlockedSchemaCreationIsRunAgainAndSucceeds() {
        String table = PostgresFixture.newTable();
        AtomicInteger calls = new AtomicInteger();
        try {
            PostgresSchema.create(failingFirst(2, "40P01", calls), table);
            assertThat(calls).hasValue(3);
            assertThat(PostgresFixture.count("SELECT count(*) FROM " + table)).as("the table exists").isZero();
        } finally {
            PostgresFixture.drop(table);
        }
    }

    @Test
    void aDeadlockEveryTimeIsReportedAfterFiveRuns() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> PostgresSchema.create(failingFirst(100, "40P01", calls), PostgresFixture.newTable()))
                .isInstanceOf(IdempotencyStoreException.class).hasMessageContaining("deadlock detected");
        assertThat(calls).hasValue(5);
    }

    @Test
    void anyOtherFailureIsReportedAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> PostgresSchema.create(failingFirst(100, "42501", calls), PostgresFixture.newTable()))
                .isInstanceOf(IdempotencyStoreException.class);
        assertThat(calls).hasValue(1);
    }
}
