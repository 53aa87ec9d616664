package dev.idem.spring;

import dev.idem.jackson3.Jackson3ResultCodec;
import dev.idem.micrometer.MeteredIdempotencyStore;
import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.Idempotency;
import dev.idem.postgres.PostgresIdempotencyStore;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spring.HttpClients.Client;
import dev.idem.spring.HttpClients.Reply;
import dev.idem.spring.HttpClients.Transport;
import dev.idem.spring.app.TestEndpoints;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.Principal;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.web.servlet.MockMvc;

/**
 * Every row of the HTTP table, each through MockMvc and through the real embedded server, against an application
 * that has only the starter and a PostgreSQL DataSource (the controller of the README, {@code OrdersController},
 * has no Idem code).
 */
class StarterHttpTest extends StarterAppTest {

    private static final Pattern ORDER_ID = Pattern.compile("\"orderId\":(\\d+)");

    @LocalServerPort
    int port;
    @Autowired
    MockMvc mvc;
    @Autowired
    TestEndpoints endpoints;
    @Autowired
    IdempotencyStore store;
    @Autowired
    MeterRegistry meters;
    @Autowired
    Idempotency idempotency;
    @Autowired
    ApplicationContext context;

    private Client client(Transport transport) {
        return HttpClients.client(transport, mvc, port);
    }

    private static String key(Transport transport, String name) {
        return transport.name().toLowerCase() + "-" + name;
    }

    @Test
    void aDataSourceIsEnoughForThePostgresStoreTheJsonCodecAndBootsMeterRegistry() {
        assertThat(store).isInstanceOf(PostgresIdempotencyStore.class);
        assertThat(idempotency.store()).isInstanceOf(MeteredIdempotencyStore.class);
        assertThat(idempotency.codec()).isInstanceOf(Jackson3ResultCodec.class);
        assertThat(context.getBeanNamesForType(MeterRegistry.class))
                .as("Spring Boot's own registry (SimpleMetricsExportAutoConfiguration)").contains("simpleMeterRegistry");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aRetryGetsTheStoredStatusBodyAndLocationMarkedReplayed(Transport transport) throws Exception {
        Client client = client(transport);
        String key = key(transport, "order");
        double replaysBefore = meters.counter("idem.replays", "action", "POST /orders", "kind", "result").count();

        Reply first = client.post("/orders", "\"" + key + "\"", "{\"plan\":\"monthly\"}");
        Reply retry = client.post("/orders", key, "{\"plan\":\"monthly\"}");
        Reply next = client.post("/orders", key + "-next", "{\"plan\":\"monthly\"}");

        assertThat(first.status()).isEqualTo(201);
        assertThat(first.replayed()).isFalse();
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.replayed()).isTrue();
        assertThat(retry.body()).isEqualTo(first.body()).contains("\"plan\":\"monthly\"");
        assertThat(retry.header("Location")).isEqualTo(first.header("Location")).isPresent();
        assertThat(retry.header("Content-Type")).isEqualTo(first.header("Content-Type"));
        assertThat(orderId(next)).as("the retry did not place an order").isEqualTo(orderId(first) + 1);
        assertThat(meters.counter("idem.replays", "action", "POST /orders", "kind", "result").count())
                .isEqualTo(replaysBefore + 1);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void onlyAllowListedHeadersAreReplayed(Transport transport) throws Exception {
        Client client = client(transport);
        String key = key(transport, "tagged");

        Reply first = client.post("/tagged", key, "hello");
        Reply retry = client.post("/tagged", key, "hello");

        assertThat(retry.replayed()).isTrue();
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(first.body()).isEqualTo("tagged hello");
        assertThat(retry.header("ETag")).isEqualTo(first.header("ETag")).isPresent();
        assertThat(retry.header("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(first.header("X-Trace-Id")).isPresent();
        assertThat(retry.header("X-Trace-Id")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aMissingKeyIsA400Problem(Transport transport) throws Exception {
        int before = endpoints.executions();

        client(transport).post("/count", null, "{}").assertProblem(400, "key-missing");

        assertThat(endpoints.executions()).isEqualTo(before);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aMalformedKeyIsA400Problem(Transport transport) throws Exception {
        Client client = client(transport);

        client.post("/orders", "x".repeat(256), "{\"plan\":\"monthly\"}").assertProblem(400, "key-invalid");
        client.post("/orders", "\"unterminated", "{\"plan\":\"monthly\"}").assertProblem(400, "key-invalid");
        client.post("/orders", "", "{\"plan\":\"monthly\"}").assertProblem(400, "key-invalid");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void theSameKeyWithAnotherBodyIsA422Problem(Transport transport) throws Exception {
        Client client = client(transport);
        String key = key(transport, "reused");
        double before = meters.counter("idem.key.reused", "action", "POST /orders").count();
        client.post("/orders", key, "{\"plan\":\"monthly\"}");

        client.post("/orders", key, "{\"plan\":\"yearly\"}").assertProblem(422, "key-reused");

        assertThat(meters.counter("idem.key.reused", "action", "POST /orders").count()).isEqualTo(before + 1);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aDuplicateOfARunningRequestIsA409WithRetryAfterAndLaterGetsTheResult(Transport transport) throws Exception {
        Client client = client(transport);
        String gateName = key(transport, "gate");
        String path = "/slow/" + gateName;
        TestEndpoints.Gate gate = endpoints.gate(gateName);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Reply> first = pool.submit(() -> client.post(path, "k409", "{}"));
            assertThat(gate.started.await(10, TimeUnit.SECONDS)).isTrue();

            Reply duplicate = client.post(path, "k409", "{}");

            duplicate.assertProblem(409, "request-in-progress");
            assertThat(duplicate.header("Retry-After").orElseThrow()).matches("\\d+");
            assertThat(meters.counter("idem.conflicts", "action", "POST " + path).count()).isEqualTo(1);
            assertThat(meters.get("idem.wait").tag("action", "POST " + path).timer().count()).isEqualTo(1);
            gate.release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            Reply retry = client.post(path, "k409", "{}");
            assertThat(retry.replayed()).isTrue();
            assertThat(retry.body()).isEqualTo("slow done");
        } finally {
            gate.release.countDown();
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aDeterministic4xxIsReplayedAndA5xxReleasesTheKey(Transport transport) throws Exception {
        Client client = client(transport);
        int before = endpoints.executions();
        double released = meters.counter("idem.released", "action", "POST /gateway-down").count();

        Reply declined = client.post("/declined", key(transport, "declined"), "{}");
        Reply declinedAgain = client.post("/declined", key(transport, "declined"), "{}");
        Reply down = client.post("/gateway-down", key(transport, "down"), "{}");
        Reply downAgain = client.post("/gateway-down", key(transport, "down"), "{}");

        assertThat(declined.status()).isEqualTo(422);
        assertThat(declinedAgain.status()).isEqualTo(422);
        assertThat(declinedAgain.replayed()).isTrue();
        assertThat(declinedAgain.body()).isEqualTo(declined.body());
        assertThat(down.status()).isEqualTo(503);
        assertThat(downAgain.status()).isEqualTo(503);
        assertThat(downAgain.replayed()).isFalse();
        assertThat(endpoints.executions()).isEqualTo(before + 3);
        assertThat(meters.counter("idem.released", "action", "POST /gateway-down").count()).isEqualTo(released + 2);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void getRequestsAreNotProtected(Transport transport) throws Exception {
        Client client = client(transport);
        String key = key(transport, "get");

        Reply first = client.send("GET", "/count", key, null);
        Reply second = client.send("GET", "/count", key, null);

        assertThat(second.replayed()).isFalse();
        assertThat(Integer.parseInt(second.body())).isGreaterThan(Integer.parseInt(first.body()));
    }

    @Test
    void keysAreScopedToTheAuthenticatedPrincipal() throws Exception {
        Principal alice = () -> "alice";
        Principal bob = () -> "bob";

        Reply aliceFirst = HttpClients.mockMvc(mvc, alice).post("/orders", "shared-key", "{\"plan\":\"monthly\"}");
        Reply bobFirst = HttpClients.mockMvc(mvc, bob).post("/orders", "shared-key", "{\"plan\":\"monthly\"}");
        Reply aliceRetry = HttpClients.mockMvc(mvc, alice).post("/orders", "shared-key", "{\"plan\":\"monthly\"}");

        assertThat(bobFirst.replayed()).isFalse();
        assertThat(orderId(bobFirst)).isNotEqualTo(orderId(aliceFirst));
        assertThat(aliceRetry.replayed()).isTrue();
        assertThat(aliceRetry.body()).isEqualTo(aliceFirst.body());
    }

    private static int orderId(Reply reply) {
        Matcher m = ORDER_ID.matcher(reply.body());
        assertThat(m.find()).as(reply.body()).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
