package dev.idem.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.spring.HttpClients.Client;
import dev.idem.spring.HttpClients.Reply;
import dev.idem.spring.txapp.jpa.JpaTxApplication;
import dev.idem.spring.txapp.jpa.TicketController;
import dev.idem.spring.txapp.jpa.TicketRepository;
import dev.idem.testing.PostgresTestDatabase;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Transactional routes under Spring Boot's {@code JpaTransactionManager}: a Spring Data JPA repository's entity
 * (its INSERT held back until the flush) and a {@code JdbcClient} write commit with the claim and the stored response.
 */
@SpringBootTest(classes = JpaTxApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"idem.max-wait=2s", "idem.http.transactional-paths=/jpa/**",
            "spring.jpa.hibernate.ddl-auto=create-drop", "spring.jpa.open-in-view=false"})
class TransactionalRoutesJpaTest {

    static final String TABLE = PostgresTestDatabase.uniqueTableName("idem_txj");

    @LocalServerPort
    int port;
    @Autowired
    TicketController controller;
    @Autowired
    TicketRepository tickets;
    @Autowired
    PlatformTransactionManager transactionManager;
    @Autowired
    DataSource dataSource;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", PostgresTestDatabase::jdbcUrl);
        registry.add("idem.postgres.table", () -> TABLE);
    }

    @AfterAll
    static void dropTable(@Autowired DataSource dataSource) {
        PostgresTestDatabase.execute(dataSource, "DROP TABLE IF EXISTS " + TABLE);
    }

    private Client client() {
        return HttpClients.server(port);
    }

    private long records(String key) {
        return PostgresTestDatabase.count(dataSource, "SELECT count(*) FROM " + TABLE + " WHERE idem_key = ?", key);
    }

    private static String ticket(String title) {
        return "{\"title\":\"" + title + "\"}";
    }

    @Test
    void theApplicationsTransactionManagerIsSpringBootsJpaTransactionManager() {
        assertThat(transactionManager).isInstanceOf(JpaTransactionManager.class);
    }

    @Test
    void aRepositorySaveIsFlushedAndCommitsWithTheRecordAndTheRetryReplays() throws Exception {
        String key = UUID.randomUUID().toString();
        String title = "ticket-" + key;
        int before = controller.executions();

        Reply first = client().post("/jpa/tickets", key, ticket(title));
        Reply retry = client().post("/jpa/tickets", key, ticket(title));

        assertThat(first.status()).as(first.body()).isEqualTo(201);
        assertThat(retry.replayed()).isTrue();
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(controller.executions() - before).isEqualTo(1);
        assertThat(tickets.countByTitle(title)).isEqualTo(1);
        assertThat(records(key)).isEqualTo(1);
    }

    @Test
    void aJdbcClientWriteJoinsTheJpaTransaction() throws Exception {
        String key = UUID.randomUUID().toString();
        String title = "jdbc-ticket-" + key;

        Reply first = client().post("/jpa/jdbc-tickets", key, ticket(title));
        Reply retry = client().post("/jpa/jdbc-tickets", key, ticket(title));

        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.replayed()).isTrue();
        assertThat(tickets.countByTitle(title)).isEqualTo(1);
    }

    @Test
    void aStored4xxRollsBackTheRepositorySaveAndKeepsTheRecord() throws Exception {
        String key = UUID.randomUUID().toString();
        String title = "refused-ticket-" + key;

        Reply first = client().post("/jpa/tickets?status=404", key, ticket(title));
        Reply retry = client().post("/jpa/tickets?status=404", key, ticket(title));

        assertThat(first.status()).isEqualTo(404);
        assertThat(retry.replayed()).isTrue();
        assertThat(tickets.countByTitle(title)).isZero();
        assertThat(records(key)).isEqualTo(1);
    }

    @Test
    void aServerErrorRollsBackTheRepositorySaveAndTheClaim() throws Exception {
        String key = UUID.randomUUID().toString();
        String title = "failed-ticket-" + key;

        assertThat(client().post("/jpa/tickets?status=500", key, ticket(title)).status()).isEqualTo(500);

        assertThat(tickets.countByTitle(title)).isZero();
        assertThat(records(key)).isZero();
    }

    @Test
    void tenConcurrentDuplicatesSaveOneEntity() throws Exception {
        String key = UUID.randomUUID().toString();
        String title = "raced-ticket-" + key;
        int before = controller.executions();
        HttpClients.sameAnswerFromConcurrentCallers(10, () -> client().post("/jpa/tickets", key, ticket(title)), 201);
        assertThat(controller.executions() - before).isEqualTo(1);
        assertThat(tickets.countByTitle(title)).isEqualTo(1);
    }
}
