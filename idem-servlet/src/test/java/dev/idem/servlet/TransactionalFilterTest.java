package dev.idem.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.idem.Idempotency;
import dev.idem.IdempotencyConfig;
import dev.idem.postgres.PostgresIdempotencyStore;
import dev.idem.postgres.PostgresSchema;
import dev.idem.testing.PostgresTestDatabase;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Transactional mode without a framework ({@link JdbcRouteTransaction}), through Jetty on a real PostgreSQL: the
 * servlet writes through the filter's connection, and its row, the claim and the stored response commit together.
 */
class TransactionalFilterTest {

    private static HikariDataSource dataSource;

    private final AtomicInteger executions = new AtomicInteger();
    private final HttpClient http = HttpClient.newHttpClient();
    private String table;
    private String orders;
    private PostgresIdempotencyStore store;
    private Idempotency idempotency;
    private JettyApp server;
    private String base;

    @BeforeAll
    static void pool() {
        dataSource = PostgresTestDatabase.newDataSource(24);
    }

    @AfterAll
    static void closePool() {
        dataSource.close();
    }

    @BeforeEach
    void startServer() throws Exception {
        table = PostgresTestDatabase.uniqueTableName("idem_f");
        orders = PostgresTestDatabase.uniqueTableName("orders");
        PostgresSchema.create(dataSource, table);
        PostgresTestDatabase.execute(dataSource, "CREATE TABLE " + orders + " (id bigserial PRIMARY KEY, note text)");
        // a row noted 'refused-at-commit' violates a deferred check, so its transaction fails at COMMIT
        PostgresTestDatabase.execute(dataSource, "CREATE FUNCTION " + orders + "_refuse() RETURNS trigger"
                + " LANGUAGE plpgsql AS 'BEGIN IF NEW.note = ''refused-at-commit'' THEN"
                + " RAISE EXCEPTION ''refused at commit''; END IF; RETURN NEW; END'");
        PostgresTestDatabase.execute(dataSource, "CREATE CONSTRAINT TRIGGER refuse AFTER INSERT ON " + orders
                + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION " + orders + "_refuse()");
        store = PostgresIdempotencyStore.builder(dataSource).table(table).build();
        idempotency = Idempotency.builder(store)
                .config(IdempotencyConfig.builder().maxWait(Duration.ofSeconds(5)).build()).build();
        IdempotencyFilterConfig config = IdempotencyFilterConfig.builder()
                .scopeResolver(request -> "client-1") // one known caller
                .transactional(request -> !request.getRequestURI().startsWith("/two-phase"),
                        new JdbcRouteTransaction(store))
                .build();
        server = JettyApp.start(new IdempotencyFilter(idempotency, config), new OrdersServlet());
        base = server.base;
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
        idempotency.close();
        store.close();
        PostgresTestDatabase.execute(dataSource, "DROP TABLE IF EXISTS " + table);
        PostgresTestDatabase.execute(dataSource, "DROP TABLE IF EXISTS " + orders);
        PostgresTestDatabase.execute(dataSource, "DROP FUNCTION IF EXISTS " + orders + "_refuse()");
    }

    /** Inserts an order through the route's connection, then answers as the path says. */
    private final class OrdersServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final CountDownLatch slowEntered = new CountDownLatch(1);

        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String note = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            executions.incrementAndGet();
            long id = insert(note);
            switch (req.getRequestURI()) {
                case "/orders" -> {
                    resp.setStatus(201);
                    resp.setHeader("Location", "/orders/" + id);
                    resp.setContentType("application/json");
                    resp.getWriter().write("{\"orderId\":" + id + "}");
                }
                case "/declined" -> {
                    resp.setStatus(422);
                    resp.setContentType("application/json");
                    resp.getWriter().write("{\"error\":\"card declined\",\"attempt\":" + id + "}");
                }
                case "/broken" -> {
                    resp.setStatus(500);
                    resp.getWriter().write("failed after writing " + id);
                }
                default -> throw new IllegalStateException("no route " + req.getRequestURI());
            }
        }

        private long insert(String note) {
            try (PreparedStatement ps = JdbcRouteTransaction.connection()
                    .prepareStatement("INSERT INTO " + orders + " (note) VALUES (?) RETURNING id")) {
                ps.setString(1, note);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void theOrderAndItsRecordCommitTogetherAndTheRetryReplaysTheResponse() throws Exception {
        HttpResponse<String> first = post("/orders", "k1", "first");
        HttpResponse<String> retry = post("/orders", "k1", "first");

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.headers().firstValue("Location")).isEqualTo(first.headers().firstValue("Location"));
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(executions.get()).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM " + orders)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM " + table + " WHERE status = 'COMPLETED'")).isEqualTo(1);
    }

    @Test
    void aStored4xxKeepsItsRecordButNotTheHandlersWrites() throws Exception {
        HttpResponse<String> first = post("/declined", "k2", "declined");
        HttpResponse<String> retry = post("/declined", "k2", "declined");

        assertThat(first.statusCode()).isEqualTo(422);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(executions.get()).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM " + orders)).isZero();
        assertThat(count("SELECT count(*) FROM " + table)).isEqualTo(1);
    }

    @Test
    void aServerErrorRollsBackTheWritesAndTheClaimSoTheRetryRuns() throws Exception {
        assertThat(post("/broken", "k3", "broken").statusCode()).isEqualTo(500);
        assertThat(count("SELECT count(*) FROM " + orders)).isZero();
        assertThat(count("SELECT count(*) FROM " + table)).isZero();

        assertThat(post("/broken", "k3", "broken").statusCode()).isEqualTo(500);
        assertThat(executions.get()).isEqualTo(2);
    }

    @Test
    void aFailedCommitIsA503WithoutTheHandlersHeadersAndKeepsNothing() throws Exception {
        HttpResponse<String> response = post("/orders", "k4", "refused-at-commit");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(response.body()).contains("store-unavailable").contains("nothing of it was kept")
                .doesNotContain("orderId");
        assertThat(response.headers().firstValue("Location")).as("the order was never committed").isEmpty();
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(count("SELECT count(*) FROM " + orders)).isZero();
        assertThat(count("SELECT count(*) FROM " + table)).isZero();
    }

    @Test
    void tenConcurrentDuplicatesBlockOnTheUncommittedClaimRunOnceAndGetTheSameResponse() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(10);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return post("/orders", "k5", "raced");
                }));
            }
            start.countDown();
            List<String> bodies = new ArrayList<>();
            int replayed = 0;
            for (Future<HttpResponse<String>> future : futures) {
                HttpResponse<String> response = future.get(30, TimeUnit.SECONDS);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
                bodies.add(response.body());
                replayed += response.headers().firstValue("Idempotent-Replayed").isPresent() ? 1 : 0;
            }
            assertThat(bodies).containsOnly(bodies.get(0));
            assertThat(replayed).isEqualTo(9);
        } finally {
            pool.shutdownNow();
        }
        assertThat(executions.get()).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM " + orders)).isEqualTo(1);
    }

    @Test
    void aHandlerAskingForTheConnectionOnATwoPhaseRouteFailsAndLeavesNoRecord() throws Exception {
        HttpResponse<String> response = post("/two-phase/orders", "k6", "two-phase");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(count("SELECT count(*) FROM " + table)).as("the exception released the key").isZero();
    }

    private HttpResponse<String> post(String path, String key, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long count(String sql) {
        return PostgresTestDatabase.count(dataSource, sql);
    }
}
