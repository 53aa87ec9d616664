package dev.idem.example.practice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.testing.PostgresTestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole application on a random port against a real PostgreSQL ({@link PostgresTestDatabase}: the server in
 * IDEM_TEST_PG_URL or an embedded one), called through real HTTP. Subclasses share one application context.
 */
@SpringBootTest(classes = PracticeApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"idem.max-wait=5s", "logging.level.dev.idem=INFO"})
public abstract class PracticeAppTestBase {

    protected static final String ALICE = "demo-alice";
    protected static final String BOB = "demo-bob";
    protected static final String CAROL = "demo-carol";

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    protected int port;
    @Autowired
    protected JdbcClient jdbc;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", PostgresTestDatabase::jdbcUrl);
    }

    /** A status, the headers the tests look at, and the body. */
    public record Reply(int status, String contentType, String replayed, String keyHeader, String body) {
        public boolean isReplay() {
            return "true".equals(replayed);
        }
    }

    protected static String newKey(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    protected Reply send(String method, String path, String token, String key, String body) {
        return send(method, path, token, key, body, body == null ? null : "application/json");
    }

    protected Reply send(String method, String path, String token, String key, String body, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null),
                    response.headers().firstValue("Idempotent-Replayed").orElse(null),
                    response.headers().firstValue("Idempotency-Key").orElse(null), response.body());
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        }
    }

    protected Reply post(String path, String token, String key, String body) {
        return send("POST", path, token, key, body);
    }

    protected Reply get(String path, String token) {
        return send("GET", path, token, null, null);
    }

    /** The first value of a JSON field (string, number or boolean) in {@code json}. */
    protected static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":\"?([^\",}\\]]*)").matcher(json);
        assertThat(m.find()).as("field %s in %s", name, json).isTrue();
        return m.group(1);
    }

    protected static List<Integer> ints(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":\\[([^\\]]*)]").matcher(json);
        assertThat(m.find()).as("array %s in %s", name, json).isTrue();
        List<Integer> values = new ArrayList<>();
        for (String part : m.group(1).split(",")) {
            if (!part.isBlank()) {
                values.add(Integer.parseInt(part.trim()));
            }
        }
        return values;
    }

    protected long count(String sql, Object... params) {
        JdbcClient.StatementSpec spec = jdbc.sql(sql);
        for (Object param : params) {
            spec = spec.param(param);
        }
        return spec.query(Long.class).single();
    }

    /** Runs {@code call} {@code n} times at once (released together) and returns the replies. */
    protected static List<Reply> concurrently(int n, Callable<Reply> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch gate = new CountDownLatch(1);
            List<Future<Reply>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    gate.await();
                    return call.call();
                }));
            }
            gate.countDown();
            List<Reply> replies = new ArrayList<>();
            for (Future<Reply> future : futures) {
                replies.add(future.get(60, TimeUnit.SECONDS));
            }
            return replies;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Starts a practice session for {@code token} and returns its JSON. */
    protected String startSession(String token, int questions) {
        Reply reply = post("/api/practice-sessions", token, newKey("start"), "{\"questionCount\":" + questions + "}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        return reply.body();
    }

    /** Closes the user's open checkouts so a test starts from none. */
    protected void closeOpenCheckouts(String userId) {
        jdbc.sql("UPDATE checkout_sessions SET status = 'expired' WHERE user_id = ? AND status = 'open'")
                .param(userId).update();
    }
}
