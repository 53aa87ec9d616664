package dev.idem.spring;

import dev.idem.spring.app.TestApplication;
import dev.idem.testing.PostgresTestDatabase;
import javax.sql.DataSource;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The test application as a user runs it: the starter plus a PostgreSQL DataSource, on a real embedded server
 * and through MockMvc. Subclasses share one application context (Spring's test context cache), so the
 * application starts once for all of them.
 */
@SpringBootTest(classes = {TestApplication.class, StarterAppTest.DropTableOnClose.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"idem.max-wait=300ms", "logging.level.dev.idem=INFO"})
@AutoConfigureMockMvc
abstract class StarterAppTest {

    static final String TABLE = PostgresTestDatabase.uniqueTableName("idem_boot");

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", PostgresTestDatabase::jdbcUrl);
        registry.add("idem.postgres.table", () -> TABLE);
    }

    /** Drops the test table when the shared context closes (not after each class, as the context outlives them). */
    @TestConfiguration(proxyBeanMethods = false)
    static class DropTableOnClose {
        @Bean
        DisposableBean dropIdemTestTable(DataSource dataSource) {
            return () -> PostgresTestDatabase.execute(dataSource, "DROP TABLE IF EXISTS " + TABLE);
        }
    }
}
