package dev.idem.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.idem.Idempotency;
import dev.idem.IdempotencyConfig;
import dev.idem.IdempotencyConflictException;
import dev.idem.IdempotencyListener;
import dev.idem.IdempotencyRequest;
import dev.idem.IdempotencyStoreException;
import dev.idem.IdempotentOutcome;
import dev.idem.ReplayableError;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.RecordId;
import dev.idem.tck.TestClock;
import dev.idem.testing.PostgresTestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Transactional mode: after a failure at each step, the action's write and the completed record either both
 * exist or neither does.
 */
class TransactionalIdempotencyTest {

    private String table;
    private String orders;
    private PostgresIdempotencyStore store;
    private Idempotency idempotency;
    private TransactionalIdempotency tx;

    @BeforeEach
    void setUp() {
        table = PostgresFixture.newTable();
        orders = PostgresTestDatabase.uniqueTableName("orders");
        PostgresTestDatabase.execute(PostgresFixture.dataSource(),
                "CREATE TABLE " + orders + " (id bigserial PRIMARY KEY, note text NOT NULL)");
        store = PostgresIdempotencyStore.builder(PostgresFixture.dataSource()).table(table).build();
        idempotency = Idempotency.builder(store)
                .config(IdempotencyConfig.builder().maxWait(Duration.ofSeconds(10)).build()).build();
        tx = new TransactionalIdempotency(idempotency, store);
    }

    @AfterEach
    void tearDown() {
        idempotency.close();
        store.close();
        PostgresFixture.drop(table);
        PostgresFixture.drop(orders);
    }

    @Test
    void successCommitsTheWriteAndTheRecordTogetherAndRetriesReplay() {
        IdempotencyRequest request = request("k1");

        String first = tx.execute(request, String.class, c -> "order-" + insertOrder(c, "first"));
        IdempotentOutcome<String> retry = tx.executeForOutcome(request, String.class, c -> "order-" + insertOrder(c, "again"));

        assertThat(retry.replayed()).isTrue();
        assertThat(retry.value()).isEqualTo(first);
        assertThat(orderCount()).isEqualTo(1);
        assertThat(recordStatus("k1")).isEqualTo("COMPLETED");
    }

    @Test
    void concurrentDuplicatesBlockOnTheUncommittedClaimAndReplayTheCommittedResult() throws Exception {
        IdempotencyRequest request = request("k-race");
        int callers = 10;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        List<Future<String>> results = new ArrayList<>();
        try {
            for (int i = 0; i < callers; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return tx.execute(request, String.class, c -> "order-" + insertOrder(c, "race"));
                }));
            }
            start.countDown();
            Set<String> distinct = new java.util.HashSet<>();
            for (Future<String> f : results) {
                distinct.add(f.get(1, TimeUnit.MINUTES));
            }
            assertThat(distinct).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(orderCount()).isEqualTo(1);
    }

    @Test
    void aTransientFailureAfterTheWriteLeavesNeitherTheWriteNorTheRecord() {
        IdempotencyRequest request = request("k2");

        assertThatThrownBy(() -> tx.execute(request, String.class, c -> {
            insertOrder(c, "doomed");
            throw new IllegalStateException("payment service timed out");
        })).isInstanceOf(IllegalStateException.class);

        assertThat(orderCount()).isZero();
        assertThat(recordStatus("k2")).isNull();
        assertThat(tx.execute(request, String.class, c -> "order-" + insertOrder(c, "retry"))).startsWith("order-");
        assertThat(orderCount()).isEqualTo(1);
    }

    @Test
    void aDeterministicFailureUndoesTheWriteButKeepsTheErrorForReplay() {
        IdempotencyRequest request = request("k3");
        AtomicInteger executions = new AtomicInteger();

        assertThatThrownBy(() -> tx.execute(request, String.class, c -> {
            executions.incrementAndGet();
            insertOrder(c, "declined");
            throw new Declined("card declined");
        })).isInstanceOf(Declined.class);
        assertThatThrownBy(() -> tx.execute(request, String.class, c -> {
            executions.incrementAndGet();
            return "should not run";
        })).isInstanceOf(Declined.class).hasMessage("card declined");

        assertThat(executions.get()).isEqualTo(1);
        assertThat(orderCount()).isZero();
        assertThat(recordStatus("k3")).isEqualTo("FAILED");
    }

    @Test
    void aSessionKilledAfterTheWriteLeavesNeitherTheWriteNorTheRecord() {
        IdempotencyRequest request = request("k4");

        assertThatThrownBy(() -> tx.execute(request, String.class, c -> {
            insertOrder(c, "lost");
            PostgresFixture.terminateBackend(PostgresFixture.backendPid(c)); // the server loses this session
            return "order-" + insertOrder(c, "never");
        })).isInstanceOf(RuntimeException.class);

        assertThat(orderCount()).isZero();
        assertThat(recordStatus("k4")).isNull();
        assertThat(tx.execute(request, String.class, c -> "order-" + insertOrder(c, "retry"))).startsWith("order-");
        assertThat(orderCount()).isEqualTo(1);
    }

    @Test
    void aSessionKilledAfterCompletionButBeforeCommitLeavesNeither() throws Exception {
        IdempotencyRequest request = request("k5");
        try (Connection c = PostgresFixture.dataSource().getConnection()) {
            c.setAutoCommit(false);
            tx.executeInTransaction(c, request, String.class, conn -> "order-" + insertOrder(conn, "uncommitted"));
            PostgresFixture.terminateBackend(PostgresFixture.backendPid(c));
            assertThatThrownBy(c::commit).isInstanceOf(SQLException.class);
        }

        assertThat(orderCount()).isZero();
        assertThat(recordStatus("k5")).isNull();
    }

    @Test
    void aCallerRollbackDiscardsTheRecordWithTheWriteAndACommitKeepsBoth() throws Exception {
        IdempotencyRequest request = request("k6");
        try (Connection c = PostgresFixture.dataSource().getConnection()) {
            c.setAutoCommit(false);
            tx.executeInTransaction(c, request, String.class, conn -> "order-" + insertOrder(conn, "rolled back"));
            c.rollback();
            assertThat(orderCount()).isZero();
            assertThat(recordStatus("k6")).isNull();

            String kept = tx.executeInTransaction(c, request, String.class, conn -> "order-" + insertOrder(conn, "kept")).value();
            c.commit();
            c.setAutoCommit(true);
            assertThat(kept).startsWith("order-");
        }
        assertThat(orderCount()).isEqualTo(1);
        assertThat(recordStatus("k6")).isEqualTo("COMPLETED");
    }

    @Test
    void aDuplicateBlockedLongerThanMaxWaitGetsAConflict() throws Exception {
        IdempotencyRequest request = request("k7");
        CountDownLatch firstRunning = new CountDownLatch(1);
        CountDownLatch finishFirst = new CountDownLatch(1);
        try (Idempotency impatient = Idempotency.builder(store)
                .config(IdempotencyConfig.builder().maxWait(Duration.ofMillis(200)).build()).build()) {
            TransactionalIdempotency impatientTx = new TransactionalIdempotency(impatient, store);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<String> first = pool.submit(() -> tx.execute(request, String.class, c -> {
                    String id = "order-" + insertOrder(c, "slow");
                    firstRunning.countDown();
                    finishFirst.await();
                    return id;
                }));
                assertThat(firstRunning.await(10, TimeUnit.SECONDS)).isTrue();

                assertThatThrownBy(() -> impatientTx.execute(request, String.class, c -> "order-" + insertOrder(c, "dup")))
                        .isInstanceOf(IdempotencyConflictException.class);

                finishFirst.countDown();
                String committed = first.get(10, TimeUnit.SECONDS);
                assertThat(impatientTx.execute(request, String.class, c -> "x")).isEqualTo(committed);
            } finally {
                pool.shutdownNow();
            }
        }
        assertThat(orderCount()).isEqualTo(1);
    }

    @Test
    void aDuplicateBlockedOnTheUncommittedClaimIsReportedAsAWaitAndItsTimeoutAsAConflict() throws Exception {
        IdempotencyRequest request = request("k13");
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        IdempotencyListener listener = new IdempotencyListener() {
            @Override
            public void onWaited(RecordId id, Duration waited) {
                events.add("waited");
            }

            @Override
            public void onConflict(RecordId id) {
                events.add("conflict");
            }
        };
        CountDownLatch firstRunning = new CountDownLatch(1);
        CountDownLatch finishFirst = new CountDownLatch(1);
        try (Idempotency patient = Idempotency.builder(store).listener(listener)
                .config(IdempotencyConfig.builder().maxWait(Duration.ofSeconds(10)).build()).build();
             Idempotency impatient = Idempotency.builder(store).listener(listener)
                .config(IdempotencyConfig.builder().maxWait(Duration.ofMillis(200)).build()).build()) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<String> first = pool.submit(() -> tx.execute(request, String.class, c -> {
                    firstRunning.countDown();
                    finishFirst.await();
                    return "order-" + insertOrder(c, "first");
                }));
                assertThat(firstRunning.await(10, TimeUnit.SECONDS)).isTrue();
                assertThatThrownBy(() -> new TransactionalIdempotency(impatient, store)
                        .execute(request, String.class, c -> "dup")).isInstanceOf(IdempotencyConflictException.class);
                assertThat(events).containsExactly("waited", "conflict");

                Future<IdempotentOutcome<String>> waiting = pool.submit(() -> new TransactionalIdempotency(patient,
                        store).executeForOutcome(request, String.class, c -> "dup"));
                await().atMost(Duration.ofSeconds(10)).until(() -> PostgresFixture.count("SELECT count(*) FROM"
                        + " pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE ?", "%INSERT INTO " + table
                        + "%") > 0);
                finishFirst.countDown();

                assertThat(waiting.get(10, TimeUnit.SECONDS).replayed()).isTrue();
                assertThat(first.get(10, TimeUnit.SECONDS)).startsWith("order-");
                assertThat(events).containsExactly("waited", "conflict", "waited");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aCrashedTwoPhaseOwnerIsTakenOverInsideTheTransactionAndADeclineAfterwardsIsStillRecorded() {
        TestClock clock = TestClock.atSystemTime();
        try (Idempotency clocked = Idempotency.builder(store)
                .config(IdempotencyConfig.builder().clock(clock).maxWait(Duration.ofSeconds(5)).build()).build()) {
            TransactionalIdempotency clockedTx = new TransactionalIdempotency(clocked, store);
            IdempotencyRequest crashed = request("k9");
            IdempotencyRequest declined = request("k10");
            for (IdempotencyRequest r : List.of(crashed, declined)) {
                RecordId id = new RecordId(r.scope(), r.action(), r.key().orElseThrow());
                Instant now = clock.instant();
                store.claim(new ClaimRequest(id, r.fingerprint(), now, now.plusSeconds(30), now.plusSeconds(3600)));
            }
            clock.advance(Duration.ofSeconds(31)); // both owners died without finishing

            String recovered = clockedTx.execute(crashed, String.class, c -> "order-" + insertOrder(c, "recovered"));
            assertThatThrownBy(() -> clockedTx.execute(declined, String.class, c -> {
                insertOrder(c, "declined");
                throw new Declined("card declined");
            })).isInstanceOf(Declined.class);

            assertThat(recovered).startsWith("order-");
            assertThat(recordStatus("k9")).isEqualTo("COMPLETED");
            assertThat(recordStatus("k10")).isEqualTo("FAILED");
            assertThat(orderCount()).isEqualTo(1);
        }
    }

    @Test
    void aResultThatKeepsNoWritesIsReplayedWhileTheActionsWritesAreRolledBack() {
        IdempotencyRequest request = request("k11");
        AtomicInteger executions = new AtomicInteger();

        IdempotentOutcome<String> first = tx.executeForOutcome(request, String.class, c -> {
            executions.incrementAndGet();
            insertOrder(c, "half-done");
            return "404 no such product";
        }, result -> !result.startsWith("4"));
        IdempotentOutcome<String> retry = tx.executeForOutcome(request, String.class, c -> {
            executions.incrementAndGet();
            return "should not run";
        }, result -> true);

        assertThat(first.replayed()).isFalse();
        assertThat(retry.replayed()).isTrue();
        assertThat(retry.value()).isEqualTo("404 no such product");
        assertThat(executions.get()).isEqualTo(1);
        assertThat(orderCount()).isZero();
        assertThat(recordStatus("k11")).isEqualTo("COMPLETED");
    }

    @Test
    void aCompletionThatCannotBeWrittenRollsBackTheActionsWritesAndFailsClosed() {
        IdempotencyRequest request = request("k12");
        // the runner's flush (after the action, before the completion) makes the record's UPDATE fail in this
        // transaction only: a trigger created inside it, so it vanishes with the rollback
        TransactionRunner failingCompletion = new TransactionRunner() {
            @Override
            public <R> R inTransaction(Work<R> work) {
                return TransactionRunner.jdbc(PostgresFixture.dataSource())
                        .inTransaction(transaction -> work.run(new OpenTransaction() {
                    @Override
                    public Connection connection() {
                        return transaction.connection();
                    }

                    @Override
                    public void flush() {
                        try (var s = transaction.connection().createStatement()) {
                            s.execute("CREATE FUNCTION pg_temp.refuse() RETURNS trigger LANGUAGE plpgsql AS"
                                    + " 'BEGIN RAISE EXCEPTION ''completion refused''; END'");
                            s.execute("CREATE TRIGGER refuse BEFORE UPDATE ON " + table
                                    + " FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse()");
                        } catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }));
            }
        };
        TransactionalIdempotency refusing = new TransactionalIdempotency(idempotency, store, failingCompletion);

        assertThatThrownBy(() -> refusing.execute(request, String.class, c -> "order-" + insertOrder(c, "orphan")))
                .isInstanceOf(IdempotencyStoreException.class).hasMessageContaining("could not be completed");

        assertThat(orderCount()).isZero();
        assertThat(recordStatus("k12")).isNull();
        assertThat(tx.execute(request, String.class, c -> "order-" + insertOrder(c, "retry"))).startsWith("order-");
        assertThat(orderCount()).isEqualTo(1);
    }

    @Test
    void anAutoCommitConnectionIsRefused() throws Exception {
        try (Connection c = PostgresFixture.dataSource().getConnection()) {
            c.setAutoCommit(true);
            assertThatThrownBy(() -> tx.executeInTransaction(c, request("k8"), String.class, conn -> "x"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auto-commit");
        }
    }

    /** A deterministic business error. */
    public static class Declined extends RuntimeException implements ReplayableError {
        private static final long serialVersionUID = 1L;

        public Declined(String message) {
            super(message);
        }

        @Override
        public String errorCode() {
            return "DECLINED";
        }
    }

    private long insertOrder(Connection c, String note) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + orders + " (note) VALUES (?) RETURNING id")) {
            ps.setString(1, note);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private long orderCount() {
        return PostgresFixture.count("SELECT count(*) FROM " + orders);
    }

    private String recordStatus(String key) {
        return PostgresFixture.string("SELECT status FROM " + table + " WHERE idem_key LIKE ?", key + "-%");
    }

    private static IdempotencyRequest request(String key) {
        return IdempotencyRequest.builder("orders.create").scope("user-1").key(key + "-" + UUID.randomUUID())
                .payload("{\"item\":1}".getBytes(StandardCharsets.UTF_8)).build();
    }
}
