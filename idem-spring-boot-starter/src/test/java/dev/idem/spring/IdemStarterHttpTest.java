package dev.idem.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.idem.IdempotencyKeyReusedException;
import dev.idem.postgres.PostgresIdempotencyStore;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spring.app.CheckoutService;
import dev.idem.spring.app.OrdersController;
import dev.idem.spring.app.TestApplication;
import dev.idem.testing.PostgresTestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * A user's application: the starter plus a PostgreSQL DataSource, nothing annotated. Every row of the HTTP table
 * through a real embedded server, the replay through MockMvc too, @Idempotent, and metrics.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"idem.max-wait=300ms", "logging.level.dev.idem=INFO"})
@AutoConfigureMockMvc
class IdemStarterHttpTest {

    private static final String TABLE = PostgresTestDatabase.uniqueTableName("idem_boot");

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", PostgresTestDatabase::jdbcUrl);
        registry.add("idem.postgres.table", () -> TABLE);
    }

    @AfterAll
    static void dropTable(@Autowired javax.sql.DataSource dataSource) {
        PostgresTestDatabase.execute(dataSource, "DROP TABLE IF EXISTS " + TABLE);
    }

    @LocalServerPort
    int port;
    @Autowired
    MockMvc mvc;
    @Autowired
    OrdersController orders;
    @Autowired
    CheckoutService checkout;
    @Autowired
    IdempotencyStore store;
    @Autowired
    MeterRegistry meters;
    @Autowired
    dev.idem.Idempotency idempotency;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aDataSourceIsEnoughToGetThePostgresStore() {
        assertThat(store).isInstanceOf(PostgresIdempotencyStore.class);
        assertThat(idempotency.store()).isInstanceOf(MeteredIdempotencyStore.class);
        assertThat(idempotency.codec()).isInstanceOf(Jackson3ResultCodec.class);
    }

    @Test
    void aRetryGetsTheSameStatusLocationAndBodyOverRealHttp() throws Exception {
        HttpResponse<String> first = send("/orders", "boot-k1", "{\"plan\":\"monthly\"}");
        HttpResponse<String> retry = send("/orders", "boot-k1", "{\"plan\":\"monthly\"}");

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(first.body()).contains("\"plan\":\"monthly\"");
        assertThat(retry.headers().firstValue("Location")).isEqualTo(first.headers().firstValue("Location"));
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(meters.counter("idem.replays", "action", "POST /orders", "kind", "result").count()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aRetryGetsTheSameResponseThroughMockMvc() throws Exception {
        int before = orders.ordersPlaced();
        String body = mvc.perform(post("/orders").header("Idempotency-Key", "\"boot-mvc-1\"")
                        .contentType("application/json").content("{\"plan\":\"yearly\"}"))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString();

        mvc.perform(post("/orders").header("Idempotency-Key", "boot-mvc-1")
                        .contentType("application/json").content("{\"plan\":\"yearly\"}"))
                .andExpect(status().isCreated())
                .andExpect(header().string("Idempotent-Replayed", "true"))
                .andExpect(content().string(body));
        assertThat(orders.ordersPlaced()).isEqualTo(before + 1);
    }

    @Test
    void missingAndMalformedKeysAre400Problems() throws Exception {
        assertProblem(send("/orders", null, "{\"plan\":\"monthly\"}"), 400, "key-missing");
        assertProblem(send("/orders", "x".repeat(300), "{\"plan\":\"monthly\"}"), 400, "key-invalid");
        assertProblem(send("/orders", "\"unterminated", "{\"plan\":\"monthly\"}"), 400, "key-invalid");
    }

    @Test
    void theSameKeyWithAnotherBodyIsA422Problem() throws Exception {
        send("/orders", "boot-k2", "{\"plan\":\"monthly\"}");

        assertProblem(send("/orders", "boot-k2", "{\"plan\":\"yearly\"}"), 422, "key-reused");
        assertThat(meters.counter("idem.key.reused", "action", "POST /orders").count()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aDuplicateOfARunningRequestIsA409WithRetryAfter() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<HttpResponse<String>> first = pool.submit(() -> send("/slow", "boot-k3", "{}"));
            assertThat(orders.slowStarted.await(10, TimeUnit.SECONDS)).isTrue();

            HttpResponse<String> duplicate = send("/slow", "boot-k3", "{}");

            assertProblem(duplicate, 409, "request-in-progress");
            assertThat(duplicate.headers().firstValue("Retry-After")).isPresent();
            assertThat(meters.counter("idem.conflicts", "action", "POST /slow").count()).isEqualTo(1);
            orders.releaseSlow.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(send("/slow", "boot-k3", "{}").headers().firstValue("Idempotent-Replayed")).contains("true");
        } finally {
            orders.releaseSlow.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void deterministic4xxIsReplayedAnd5xxReleasesTheKey() throws Exception {
        int before = orders.executions.get();
        assertThat(send("/declined", "boot-k4", "{}").statusCode()).isEqualTo(422);
        HttpResponse<String> replay = send("/declined", "boot-k4", "{}");
        assertThat(replay.statusCode()).isEqualTo(422);
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).contains("true");

        assertThat(send("/gateway-down", "boot-k5", "{}").statusCode()).isEqualTo(503);
        assertThat(send("/gateway-down", "boot-k5", "{}").statusCode()).isEqualTo(503);
        assertThat(orders.executions.get()).isEqualTo(before + 3);
    }

    @Test
    void getRequestsAreNotProtected() throws Exception {
        HttpResponse<String> first = http.send(HttpRequest.newBuilder(uri("/orders")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> second = http.send(HttpRequest.newBuilder(uri("/orders")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(second.body()).isNotEqualTo(first.body());
    }

    @Test
    void idempotentServiceMethodsRunOncePerKeyAndReplayErrorsAsTheirOwnType() {
        CheckoutService.Checkout first = checkout.checkout("alice", new CheckoutService.CheckoutCommand("svc-1", "monthly"));
        CheckoutService.Checkout again = checkout.checkout("alice", new CheckoutService.CheckoutCommand("svc-1", "monthly"));
        CheckoutService.Checkout bob = checkout.checkout("bob", new CheckoutService.CheckoutCommand("svc-1", "monthly"));

        assertThat(again).isEqualTo(first);
        assertThat(bob.userId()).isEqualTo("bob");
        assertThatThrownBy(() -> checkout.checkout("alice", new CheckoutService.CheckoutCommand("svc-1", "yearly")))
                .isInstanceOf(IdempotencyKeyReusedException.class);
        int executions = checkout.executions();

        assertThatThrownBy(() -> checkout.checkout("alice", new CheckoutService.CheckoutCommand("svc-2", "discontinued")))
                .isInstanceOf(CheckoutService.PlanUnavailable.class);
        assertThatThrownBy(() -> checkout.checkout("alice", new CheckoutService.CheckoutCommand("svc-2", "discontinued")))
                .isInstanceOf(CheckoutService.PlanUnavailable.class).hasMessageContaining("not sold any more");
        assertThat(checkout.executions()).isEqualTo(executions + 1);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private HttpResponse<String> send(String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertProblem(HttpResponse<String> response, int status, String type) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        assertThat(response.body()).contains("\"type\":\"https://idem.dev/problems/" + type + "\"")
                .doesNotContain("Exception", "\tat ");
    }
}
