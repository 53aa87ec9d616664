package dev.idem.spring;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.spring.txapp.jdbc.JdbcTxApplication;
import dev.idem.testing.PostgresTestDatabase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Transactional routes need the record and the handler's writes in one transaction: an application whose set-up
 * cannot give that refuses to start, saying what to change.
 */
class TransactionalRoutesGuardRailsTest {

    private static final String NO_JPA = "--spring.autoconfigure.exclude=" + StarterAutoConfigurations.SECURITY + ","
            + "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration,"
            + "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration";

    private static ConfigurableApplicationContext start(Class<?>[] sources, String... extra) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.datasource.url="
                + PostgresTestDatabase.jdbcUrl(), "--test.notes-table=idem_guard_notes", "--idem.prune.enabled=false",
                NO_JPA));
        args.addAll(List.of(extra));
        return new SpringApplicationBuilder(sources).run(args.toArray(String[]::new));
    }

    private static ConfigurableApplicationContext start(String... extra) {
        return start(new Class<?>[] {JdbcTxApplication.class}, extra);
    }

    @Test
    void anotherStoreThanPostgresIsRefused() {
        assertThatThrownBy(() -> start("--idem.store=memory").close())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("transactional routes")
                .hasMessageContaining("PostgreSQL store").hasMessageContaining("InMemoryIdempotencyStore");
    }

    @Test
    void anIsolationLevelOtherThanReadCommittedIsRefused() {
        assertThatThrownBy(() -> start("--spring.datasource.hikari.transaction-isolation=TRANSACTION_REPEATABLE_READ")
                .close())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("READ COMMITTED");
    }

    @Test
    void aTransactionManagerOverAnotherDataSourceIsRefused() {
        assertThatThrownBy(() -> start(new Class<?>[] {JdbcTxApplication.class, OtherDatabase.class}).close())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("another DataSource");
    }

    @Test
    void twoPhaseAnnotationsAloneDeclareNothingTransactionalSoNothingIsChecked() {
        // the in-memory store would be refused if any route were transactional
        start(new Class<?>[] {TwoPhaseOnlyApplication.class}, "--idem.store=memory").close();
    }

    /** An application whose only route annotation says TWO_PHASE, the default. */
    @org.springframework.boot.autoconfigure.EnableAutoConfiguration
    @Configuration(proxyBeanMethods = false)
    @org.springframework.context.annotation.Import(TwoPhaseOnlyApplication.Orders.class)
    static class TwoPhaseOnlyApplication {
        @org.springframework.web.bind.annotation.RestController
        static class Orders {
            @org.springframework.web.bind.annotation.PostMapping("/orders")
            @dev.idem.spring.IdempotentRoute(commit = dev.idem.spring.IdempotentRoute.Commit.TWO_PHASE)
            String place() {
                return "placed";
            }
        }
    }

    /** A transaction manager of a DataSource other than the application's (and the store's). */
    @Configuration(proxyBeanMethods = false)
    static class OtherDatabase {
        @Bean
        DataSourceTransactionManager transactionManager() {
            return new DataSourceTransactionManager(new DriverManagerDataSource(PostgresTestDatabase.jdbcUrl()));
        }
    }
}
