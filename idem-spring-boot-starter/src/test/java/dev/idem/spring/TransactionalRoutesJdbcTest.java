package dev.idem.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.idem.spring.HttpClients.Client;
import dev.idem.spring.HttpClients.Reply;
import dev.idem.spring.HttpClients.Transport;
import dev.idem.spring.txapp.Gates;
import dev.idem.spring.txapp.jdbc.JdbcTxApplication;
import dev.idem.spring.txapp.jdbc.NotesController;
import dev.idem.spring.txapp.jdbc.NotesService;
import dev.idem.testing.PostgresTestDatabase;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Transactional routes under Spring Boot's {@code DataSourceTransactionManager}: the handler's {@code JdbcClient}
 * writes, made in a joining {@code @Transactional} service, commit with the claim and the stored response in one
 * transaction, declared by {@code idem.http.transactional-paths} or by {@link IdempotentRoute}.
 */
@SpringBootTest(classes = JdbcTxApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"idem.max-wait=3s", "idem.http.transactional-paths=/tx/**",
            "spring.autoconfigure.exclude=" + StarterAutoConfigurations.SECURITY + ","
                + "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration,"
                + "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration"})
@AutoConfigureMockMvc
class TransactionalRoutesJdbcTest {

    static final String TABLE = PostgresTestDatabase.uniqueTableName("idem_txr");
    static final String NOTES = PostgresTestDatabase.uniqueTableName("notes");

    @LocalServerPort
    int port;
    @Autowired
    MockMvc mvc;
    @Autowired
    NotesController controller;
    @Autowired
    NotesService notes;
    @Autowired
    Gates gates;
    @Autowired
    PlatformTransactionManager transactionManager;
    @Autowired
    DataSource dataSource;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", PostgresTestDatabase::jdbcUrl);
        registry.add("idem.postgres.table", () -> TABLE);
        registry.add("test.notes-table", () -> NOTES);
    }

    @AfterAll
    static void dropTables(@Autowired DataSource dataSource) {
        PostgresTestDatabase.execute(dataSource, "DROP TABLE IF EXISTS " + TABLE);
        PostgresTestDatabase.execute(dataSource, "DROP TABLE IF EXISTS " + NOTES);
        PostgresTestDatabase.execute(dataSource, "DROP FUNCTION IF EXISTS " + NOTES + "_refuse()");
    }

    private Client client(Transport transport) {
        return HttpClients.client(transport, mvc, port);
    }

    private static String key() {
        return UUID.randomUUID().toString();
    }

    private static String note(String text) {
        return "{\"text\":\"" + text + "\"}";
    }

    private long records(String key) {
        return PostgresTestDatabase.count(dataSource, "SELECT count(*) FROM " + TABLE + " WHERE idem_key = ?", key);
    }

    private long notesWith(String text) {
        return PostgresTestDatabase.count(dataSource, "SELECT count(*) FROM " + NOTES + " WHERE text = ?", text);
    }

    @Test
    void theApplicationsTransactionManagerIsSpringBootsDataSourceTransactionManager() {
        assertThat(transactionManager).isInstanceOf(DataSourceTransactionManager.class);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void theHandlersWritesAndTheRecordCommitTogetherAndTheRetryReplays(Transport transport) throws Exception {
        String key = key();
        String text = "note-" + key;
        int before = controller.executions();

        Reply first = client(transport).post("/tx/notes", key, note(text));
        Reply retry = client(transport).post("/tx/notes", key, note(text));

        assertThat(first.status()).as(first.body()).isEqualTo(201);
        assertThat(first.body()).contains("\"inTransaction\":true");
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.header("Location")).isEqualTo(first.header("Location"));
        assertThat(retry.replayed()).isTrue();
        assertThat(controller.executions() - before).isEqualTo(1);
        assertThat(notesWith(text)).isEqualTo(1);
        assertThat(records(key)).isEqualTo(1);
    }

    @Test
    void anAnnotatedHandlerRunsTransactionalAndAnAnnotationBeatsThePathPattern() throws Exception {
        Client client = client(Transport.SERVER);

        Reply annotated = client.post("/annotated/notes", key(), note("annotated-" + key()));
        Reply twoPhase = client.post("/tx/two-phase-notes", key(), note("two-phase-" + key()));

        assertThat(annotated.status()).isEqualTo(201);
        assertThat(annotated.body()).contains("\"inTransaction\":true");
        assertThat(twoPhase.status()).isEqualTo(201);
        assertThat(twoPhase.body()).as("TWO_PHASE on a /tx/** handler").contains("\"inTransaction\":false");
    }

    @Test
    void aStored4xxKeepsItsRecordAndRollsBackTheHandlersWrites() throws Exception {
        String key = key();
        String text = "declined-" + key;
        Client client = client(Transport.SERVER);

        Reply first = client.post("/tx/notes?status=409", key, note(text));
        Reply retry = client.post("/tx/notes?status=409", key, note(text));

        assertThat(first.status()).isEqualTo(409);
        assertThat(retry.replayed()).isTrue();
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(notesWith(text)).isZero();
        assertThat(records(key)).isEqualTo(1);
    }

    @Test
    void serverErrorsAndExceptionsRollBackEverythingSoTheRetryRuns() throws Exception {
        String key = key();
        String text = "failing-" + key;
        Client client = client(Transport.SERVER);
        int before = controller.executions();

        assertThat(client.post("/tx/notes?status=503", key, note(text)).status()).isEqualTo(503);
        assertThat(client.post("/tx/notes?status=0", key, note(text)).status()).isEqualTo(500);
        Reply success = client.post("/tx/notes", key, note(text));

        assertThat(success.status()).isEqualTo(201);
        assertThat(success.replayed()).isFalse();
        assertThat(controller.executions() - before).isEqualTo(3);
        assertThat(notesWith(text)).as("only the successful run's note").isEqualTo(1);
        assertThat(records(key)).isEqualTo(1);
    }

    @Test
    void aCommitThatFailsIsA503AndNothingOfTheRequestSurvives() throws Exception {
        String key = key();

        Reply reply = client(Transport.SERVER).post("/tx/notes", key, note("refused-at-commit"));

        reply.assertProblem(503, "store-unavailable");
        assertThat(reply.body()).contains("nothing of it was kept");
        assertThat(reply.header("Location")).isEmpty();
        assertThat(reply.header("Retry-After")).hasValue("1");
        assertThat(records(key)).isZero();
        assertThat(notesWith("refused-at-commit")).isZero();
    }

    @Test
    void aDuplicateBlocksOnTheUncommittedClaimGets409AfterMaxWaitAndThenTheReplay() throws Exception {
        String key = key();
        String text = "held-" + key;
        Gates.Gate gate = gates.gate(key);
        Client client = client(Transport.SERVER);
        CompletableFuture<Reply> first = CompletableFuture.supplyAsync(() -> post(client, "/tx/notes?hold=" + key,
                key, note(text)));
        assertThat(gate.entered.await(10, TimeUnit.SECONDS)).isTrue();

        Reply duplicate = client.post("/tx/notes?hold=" + key, key, note(text));
        assertThat(duplicate.status()).as(duplicate.body()).isEqualTo(409);
        assertThat(duplicate.body()).contains("request-in-progress");
        assertThat(duplicate.header("Retry-After")).isPresent();

        // a second duplicate blocks on the uncommitted claim while the first is still held, and replays its commit
        CompletableFuture<Reply> waiting = CompletableFuture.supplyAsync(() -> post(client, "/tx/notes?hold=" + key,
                key, note(text)));
        await("the duplicate blocked on the claim's row lock").atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(20)).until(() -> PostgresTestDatabase.count(dataSource,
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE ?",
                        "%INSERT INTO " + TABLE + "%") > 0);
        gate.release.countDown();
        Reply owner = first.get(10, TimeUnit.SECONDS);
        Reply replay = waiting.get(10, TimeUnit.SECONDS);

        assertThat(owner.status()).isEqualTo(201);
        assertThat(replay.status()).as(replay.body()).isEqualTo(201);
        assertThat(replay.body()).isEqualTo(owner.body());
        assertThat(replay.replayed()).isTrue();
        assertThat(notesWith(text)).isEqualTo(1);
    }

    @Test
    void tenConcurrentDuplicatesRunOnceAndAllGetTheSameResponse() throws Exception {
        String key = key();
        String text = "raced-" + key;
        Client client = client(Transport.SERVER);
        int before = controller.executions();
        HttpClients.sameAnswerFromConcurrentCallers(10, () -> client.post("/tx/notes", key, note(text)), 201);
        assertThat(controller.executions() - before).isEqualTo(1);
        assertThat(notesWith(text)).isEqualTo(1);
    }

    private static Reply post(Client client, String path, String key, String body) {
        try {
            return client.post(path, key, body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
