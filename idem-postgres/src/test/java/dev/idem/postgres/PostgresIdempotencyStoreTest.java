package dev.idem.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.idem.Idempotency;
import dev.idem.IdempotencyConfig;
import dev.idem.IdempotencyRequest;
import dev.idem.IdempotencyStoreException;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.Fingerprint;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import dev.idem.spi.RecordStatus;
import dev.idem.spi.StoredResult;
import dev.idem.spi.Waiter;
import dev.idem.tck.TestClock;
import dev.idem.testing.PostgresTestDatabase;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PostgresIdempotencyStoreTest {

    private String table;

    @BeforeEach
    void createTable() {
        table = PostgresFixture.newTable();
    }

    @AfterEach
    void dropTable() {
        PostgresFixture.drop(table);
    }

    @Test
    void tableNamesThatCouldInjectSqlAreRefused() {
        for (String bad : new String[] {"keys; DROP TABLE users", "Keys", "a.b.c", "", "1keys", "keys\"", "x".repeat(64)}) {
            assertThatThrownBy(() -> PostgresIdempotencyStore.builder(PostgresFixture.dataSource()).table(bad))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("table name");
            assertThatThrownBy(() -> PostgresSchema.create(PostgresFixture.dataSource(), bad))
                    .as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void schemaCreationIsRepeatableAndSupportsSchemaQualifiedNames() {
        PostgresSchema.create(PostgresFixture.dataSource(), table);
        String schema = "idem_s_" + Long.toHexString(System.nanoTime());
        PostgresTestDatabase.execute(PostgresFixture.dataSource(), "CREATE SCHEMA " + schema);
        try {
            PostgresSchema.create(PostgresFixture.dataSource(), schema + ".keys");
            PostgresSchema.create(PostgresFixture.dataSource(), schema + ".keys");
            try (PostgresIdempotencyStore store = PostgresIdempotencyStore.builder(PostgresFixture.dataSource())
                    .table(schema + ".keys").build()) {
                assertThat(execute(store, "k1")).isEqualTo("ran");
                assertThat(PostgresFixture.count("SELECT count(*) FROM " + schema + ".keys")).isEqualTo(1);
            }
        } finally {
            PostgresTestDatabase.execute(PostgresFixture.dataSource(), "DROP SCHEMA " + schema + " CASCADE");
        }
    }

    @Test
    void theFlywayMigrationCreatesTheDefaultTable() {
        String schema = "idem_f_" + Long.toHexString(System.nanoTime());
        try {
            Flyway.configure().dataSource(PostgresFixture.dataSource()).schemas(schema).createSchemas(true)
                    .locations(PostgresSchema.MIGRATION_LOCATION).load().migrate();
            try (PostgresIdempotencyStore store = PostgresIdempotencyStore.builder(PostgresFixture.dataSource())
                    .table(schema + ".idempotency_keys").build()) {
                assertThat(execute(store, "k1")).isEqualTo("ran");
            }
        } finally {
            PostgresTestDatabase.execute(PostgresFixture.dataSource(), "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void anUnreachableDatabaseFailsTheClaimAndTheActionDoesNotRun() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + closedPort + "/test?user=postgres&connectTimeout=1");
        config.setConnectionTimeout(500);
        config.setInitializationFailTimeout(-1);
        AtomicInteger executions = new AtomicInteger();
        try (HikariDataSource unreachable = new HikariDataSource(config);
             PostgresIdempotencyStore store = PostgresIdempotencyStore.builder(unreachable).notifications(false).build();
             Idempotency idem = Idempotency.builder(store).build()) {
            assertThatThrownBy(() -> idem.execute(request("k1"), String.class, () -> "ran-" + executions.incrementAndGet()))
                    .isInstanceOf(IdempotencyStoreException.class)
                    .hasMessageContaining("PostgreSQL failed to claim");
        }
        assertThat(executions.get()).isZero();
    }

    @Test
    void anOutageDuringCompletionReturnsTheResultAndKeepsTheKeyUntilTheLeaseEnds() {
        CuttableDataSource db = new CuttableDataSource(PostgresFixture.dataSource());
        TestClock clock = TestClock.atSystemTime();
        AtomicInteger executions = new AtomicInteger();
        try (PostgresIdempotencyStore store = PostgresIdempotencyStore.builder(db).table(table).build();
             Idempotency idem = Idempotency.builder(store).config(IdempotencyConfig.builder().clock(clock)
                     .maxWait(Duration.ZERO).build()).build()) {
            String first = idem.execute(request("k1"), String.class, () -> {
                db.cut(); // the database goes away while the action runs
                return "ran-" + executions.incrementAndGet();
            });
            db.restore();

            assertThat(first).isEqualTo("ran-1");
            assertThat(PostgresFixture.string("SELECT status FROM " + table + " WHERE idem_key = 'k1'"))
                    .isEqualTo("IN_PROGRESS");
            assertThatThrownBy(() -> idem.execute(request("k1"), String.class, () -> "ran-" + executions.incrementAndGet()))
                    .isInstanceOf(dev.idem.IdempotencyConflictException.class);

            clock.advance(idem.config().lease());
            assertThat(idem.execute(request("k1"), String.class, () -> "ran-" + executions.incrementAndGet()))
                    .isEqualTo("ran-2");
            assertThat(executions.get()).isEqualTo(2);
        }
    }

    @Test
    void withoutNotificationsWaitersPollAndStillGetTheResult() throws Exception {
        try (PostgresIdempotencyStore store = PostgresIdempotencyStore.builder(PostgresFixture.dataSource())
                .table(table).notifications(false).build()) {
            RecordId id = new RecordId("u", "a", "k");
            OwnerToken owner = claim(store, id);
            try (Waiter.Handle handle = store.waiter().register(id)) {
                store.complete(id, owner, new StoredResult(new byte[] {1}, "x"));
                assertThat(handle.await(Duration.ofMillis(20))).isFalse();
            }
            assertThat(store.find(id, Instant.now()).orElseThrow().status()).isEqualTo(RecordStatus.COMPLETED);
        }
    }

    @Test
    void theListenerReconnectsAfterItsConnectionIsKilled() throws Exception {
        try (PostgresIdempotencyStore store = PostgresIdempotencyStore.builder(PostgresFixture.dataSource())
                .table(table).build()) {
            String channel = "idem_" + table;
            PostgresFixture.count("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE query = ?) t", "LISTEN \"" + channel + "\"");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                RecordId id = new RecordId("u", "a", UUID.randomUUID().toString());
                OwnerToken owner = claim(store, id);
                try (Waiter.Handle handle = store.waiter().register(id)) {
                    store.complete(id, owner, new StoredResult(new byte[] {1}, "x"));
                    assertThat(handle.await(Duration.ofSeconds(2))).isTrue();
                }
            });
        }
    }

    @Test
    void theLargestCarriedBodyWithTheLongestCarriedContentTypeFitsTheNotifyPayloadLimit() throws Exception {
        // the contract checks the body bound across instances; this is PostgreSQL's worst payload: both at their bound
        try (PostgresIdempotencyStore owner = PostgresIdempotencyStore.builder(PostgresFixture.dataSource())
                .table(table).build();
             PostgresIdempotencyStore other = PostgresIdempotencyStore.builder(PostgresFixture.dataSource())
                     .table(table).build()) {
            byte[] largest = new byte[WakeUpMessage.MAX_CARRIED_BODY_BYTES];
            new Random(3).nextBytes(largest);
            StoredResult worst = new StoredResult(largest, "c".repeat(WakeUpMessage.MAX_CARRIED_CONTENT_TYPE_BYTES));
            RecordId id = new RecordId("u-" + "s".repeat(500), "a", UUID.randomUUID() + "k".repeat(1000));
            OwnerToken token = claim(owner, id);

            try (Waiter.Handle handle = other.waiter().register(id)) {
                assertThat(owner.complete(id, token, worst)).isTrue();
                assertThat(handle.await(Duration.ofSeconds(10))).as("woken by the notification").isTrue();
                assertThat(handle.takeCarried()).hasValueSatisfying(r -> assertThat(r.result()).isEqualTo(worst));
            }
        }
    }

    private static OwnerToken claim(PostgresIdempotencyStore store, RecordId id) {
        Instant now = Instant.now();
        ClaimResult result = store.claim(new ClaimRequest(id, Fingerprint.EMPTY, now, now.plusSeconds(30),
                now.plusSeconds(3600)));
        return ((ClaimResult.Claimed) result).token();
    }

    private static String execute(PostgresIdempotencyStore store, String key) {
        try (Idempotency idem = Idempotency.builder(store).build()) {
            return idem.execute(request(key), String.class, () -> "ran");
        }
    }

    private static IdempotencyRequest request(String key) {
        return IdempotencyRequest.builder("test.action").scope("user-1").key(key)
                .payload("body".getBytes(StandardCharsets.UTF_8)).build();
    }
}
