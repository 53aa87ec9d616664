package dev.idem.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.Idempotency;
import dev.idem.IdempotencyConfig;
import dev.idem.IdempotencyStoreException;
import dev.idem.memory.InMemoryIdempotencyStore;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.ForwardingIdempotencyStore;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import dev.idem.spi.StoredError;
import dev.idem.spi.StoredRecord;
import dev.idem.spi.StoredResult;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every row of the HTTP table, through a real servlet container (Jetty) and a real HTTP client. */
class IdempotencyFilterTest {

    private final AtomicInteger executions = new AtomicInteger();
    private final AtomicBoolean storeDown = new AtomicBoolean();
    private final CountDownLatch slowStarted = new CountDownLatch(1);
    private final CountDownLatch releaseSlow = new CountDownLatch(1);
    private final HttpClient http = HttpClient.newHttpClient();
    private JettyApp server;
    private Idempotency idempotency;
    private String base;

    @BeforeEach
    void startServer() throws Exception {
        IdempotencyStore store = new OutageStore(new InMemoryIdempotencyStore(), storeDown);
        idempotency = Idempotency.builder(store)
                .config(IdempotencyConfig.builder().maxWait(Duration.ofMillis(300)).build()).build();
        IdempotencyFilterConfig config = IdempotencyFilterConfig.builder()
                .scopeResolver(request -> request.getHeader("X-User") == null ? "" : request.getHeader("X-User"))
                .maxRequestBodyBytes(64 * 1024)
                .maxResponseBodyBytes(64 * 1024)
                .build();
        server = JettyApp.start(new IdempotencyFilter(idempotency, config), new AppServlet());
        base = server.base;
    }

    @AfterEach
    void stopServer() throws Exception {
        releaseSlow.countDown();
        server.close();
        idempotency.close();
    }

    /** The application behind the filter: each protected route counts its executions. */
    private final class AppServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String body = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int n = executions.incrementAndGet();
            switch (req.getRequestURI()) {
                case "/orders" -> {
                    resp.setStatus(201);
                    resp.setHeader("Location", "/orders/" + n);
                    resp.setHeader("X-Not-Replayed", "x");
                    resp.setContentType("application/json");
                    resp.getWriter().write("{\"orderId\":" + n + ",\"echo\":" + Problems.quote(body) + "}");
                }
                case "/declined" -> {
                    resp.setStatus(422);
                    resp.setContentType("application/json");
                    resp.getOutputStream().write("{\"error\":\"card declined\"}".getBytes(StandardCharsets.UTF_8));
                }
                case "/unavailable" -> {
                    resp.setStatus(503);
                    resp.getWriter().write("payment gateway down");
                }
                case "/validated" -> {
                    resp.setStatus(body.contains("plan") ? 201 : 400);
                    resp.setContentType("application/json");
                    resp.getWriter().write("{\"run\":" + n + "}");
                }
                case "/missing" -> resp.sendError(404, "no such thing");
                case "/throws" -> throw new IllegalStateException("boom " + n);
                case "/big" -> {
                    resp.setContentType("application/octet-stream");
                    byte[] chunk = new byte[16 * 1024];
                    for (int i = 0; i < 8; i++) {
                        resp.getOutputStream().write(chunk);
                    }
                }
                case "/slow" -> {
                    slowStarted.countDown();
                    try {
                        releaseSlow.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    resp.setStatus(201);
                    resp.getWriter().write("slow-" + n);
                }
                default -> resp.sendError(400);
            }
        }

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.getWriter().write("get-" + executions.incrementAndGet());
        }
    }

    @Test
    void theFirstRequestRunsAndEveryRetryGetsTheSameStatusHeadersAndBody() throws Exception {
        HttpResponse<String> first = post("/orders", "k-1", "{\"plan\":\"monthly\"}");
        HttpResponse<String> retry = post("/orders", "k-1", "{\"plan\":\"monthly\"}");

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(first.body()).contains("\\\"plan\\\"");
        assertThat(retry.headers().firstValue("Location")).isEqualTo(first.headers().firstValue("Location"));
        assertThat(retry.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(retry.headers().firstValue("X-Not-Replayed")).isEmpty();
        assertThat(executions.get()).isEqualTo(1);
    }

    @Test
    void aQuotedStructuredFieldKeyAndTheBareTokenAreTheSameKey() throws Exception {
        post("/orders", "\"abc-123\"", "{}");
        HttpResponse<String> retry = post("/orders", "abc-123", "{}");

        assertThat(retry.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(executions.get()).isEqualTo(1);
    }

    @Test
    void aMissingKeyIsA400Problem() throws Exception {
        HttpResponse<String> response = post("/orders", null, "{}");

        assertProblem(response, 400, "key-missing");
        assertThat(executions.get()).isZero();
    }

    @Test
    void malformedKeysAre400ProblemsAndNothingRuns() throws Exception {
        for (String bad : List.of("k".repeat(256), "\"unterminated", "\"a\"b", "\"\"", "\"bad\\escape\"")) {
            assertProblem(post("/orders", bad, "{}"), 400, "key-invalid");
        }
        HttpRequest twoHeaders = HttpRequest.newBuilder(URI.create(base + "/orders"))
                .header("Idempotency-Key", "a").header("Idempotency-Key", "b")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        assertProblem(http.send(twoHeaders, HttpResponse.BodyHandlers.ofString()), 400, "key-invalid");
        assertThat(executions.get()).isZero();
    }

    @Test
    void theSameKeyWithAnotherBodyOrQueryIsA422Problem() throws Exception {
        post("/orders", "k-2", "{\"plan\":\"monthly\"}");

        assertProblem(post("/orders", "k-2", "{\"plan\":\"yearly\"}"), 422, "key-reused");
        assertProblem(post("/orders?coupon=1", "k-2", "{\"plan\":\"monthly\"}"), 422, "key-reused");
        assertThat(executions.get()).isEqualTo(1);
    }

    @Test
    void aDuplicateOfARunningRequestGetsA409WithRetryAfterAndLaterTheStoredResponse() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<HttpResponse<String>> first = pool.submit(() -> post("/slow", "k-3", "{}"));
            assertThat(slowStarted.await(10, TimeUnit.SECONDS)).isTrue();

            HttpResponse<String> duplicate = post("/slow", "k-3", "{}");
            assertProblem(duplicate, 409, "request-in-progress");
            assertThat(duplicate.headers().firstValue("Retry-After")).contains("1");

            releaseSlow.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
            HttpResponse<String> retry = post("/slow", "k-3", "{}");
            assertThat(retry.body()).isEqualTo("slow-1");
            assertThat(executions.get()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void tenConcurrentDuplicatesRunOnceAndAllGetTheSameResponse() throws Exception {
        int callers = 10;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return post("/orders", "k-race", "{}");
                }));
            }
            start.countDown();
            Set<String> bodies = new HashSet<>();
            for (Future<HttpResponse<String>> f : futures) {
                HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
                if (r.statusCode() == 201) {
                    bodies.add(r.body());
                } else {
                    assertProblem(r, 409, "request-in-progress"); // only if it waited longer than maxWait
                }
            }
            assertThat(bodies).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(executions.get()).isEqualTo(1);
    }

    @Test
    void aStoreOutageIsA503ProblemAndTheRequestDoesNotRun() throws Exception {
        storeDown.set(true);

        HttpResponse<String> response = post("/orders", "k-4", "{}");

        assertProblem(response, 503, "store-unavailable");
        assertThat(executions.get()).isZero();
    }

    @Test
    void serverErrorsReleaseTheKeySoTheRetryRunsAgain() throws Exception {
        assertThat(post("/unavailable", "k-5", "{}").statusCode()).isEqualTo(503);
        HttpResponse<String> retry = post("/unavailable", "k-5", "{}");

        assertThat(retry.statusCode()).isEqualTo(503);
        assertThat(retry.body()).isEqualTo("payment gateway down");
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(executions.get()).isEqualTo(2);
    }

    @Test
    void exceptionsAndSendErrorReleaseTheKey() throws Exception {
        assertThat(post("/throws", "k-6", "{}").statusCode()).isEqualTo(500);
        assertThat(post("/throws", "k-6", "{}").statusCode()).isEqualTo(500);
        assertThat(post("/missing", "k-7", "{}").statusCode()).isEqualTo(404);
        assertThat(post("/missing", "k-7", "{}").statusCode()).isEqualTo(404);

        assertThat(executions.get()).isEqualTo(4);
    }

    @Test
    void aRequestRefusedAsMalformedLeavesNoRecordSoItsCorrectedRetryRuns() throws Exception {
        HttpResponse<String> refused = post("/validated", "k-9", "{}");
        HttpResponse<String> refusedAgain = post("/validated", "k-9", "{}");
        HttpResponse<String> corrected = post("/validated", "k-9", "{\"plan\":\"monthly\"}");

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refusedAgain.statusCode()).isEqualTo(400);
        assertThat(refusedAgain.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(corrected.statusCode()).as("not 422: the refused request left no record").isEqualTo(201);
        assertThat(executions.get()).isEqualTo(3);
    }

    @Test
    void deterministicClientErrorsFromTheApplicationAreStoredAndReplayed() throws Exception {
        HttpResponse<String> first = post("/declined", "k-8", "{}");
        HttpResponse<String> retry = post("/declined", "k-8", "{}");

        assertThat(first.statusCode()).isEqualTo(422);
        assertThat(retry.statusCode()).isEqualTo(422);
        assertThat(retry.body()).isEqualTo("{\"error\":\"card declined\"}");
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(executions.get()).isEqualTo(1);
    }

    @Test
    void getRequestsAreNotProtected() throws Exception {
        HttpRequest get = HttpRequest.newBuilder(URI.create(base + "/orders")).GET().build();

        assertThat(http.send(get, HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("get-1");
        assertThat(http.send(get, HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("get-2");
    }

    @Test
    void aResponseTooLargeToStoreIsSentOnceAndItsRetryGetsA409InsteadOfASecondRun() throws Exception {
        HttpResponse<byte[]> first = http.send(postRequest("/big", "k-9", "{}"), HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<String> retry = post("/big", "k-9", "{}");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).hasSize(8 * 16 * 1024);
        assertProblem(retry, 409, "response-not-stored");
        assertThat(executions.get()).isEqualTo(1);
    }

    @Test
    void aRequestBodyOverTheLimitIsA413Problem() throws Exception {
        assertProblem(post("/orders", "k-10", "x".repeat(64 * 1024 + 1)), 413, "request-too-large");
        assertThat(executions.get()).isZero();
    }

    @Test
    void oneUsersKeyReplayedByAnotherUserRunsAsTheirOwnRequest() throws Exception {
        HttpResponse<String> alice = http.send(HttpRequest.newBuilder(URI.create(base + "/orders"))
                .header("Idempotency-Key", "shared").header("X-User", "alice")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> bob = http.send(HttpRequest.newBuilder(URI.create(base + "/orders"))
                .header("Idempotency-Key", "shared").header("X-User", "bob")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(bob.body()).isNotEqualTo(alice.body());
        assertThat(bob.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(executions.get()).isEqualTo(2);
    }

    private HttpResponse<String> post(String path, String key, String body) throws Exception {
        return http.send(postRequest(path, key, body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest postRequest(String path, String key, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return b.build();
    }

    private static void assertProblem(HttpResponse<String> response, int status, String type) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        assertThat(response.body()).contains("\"type\":\"https://idem.dev/problems/" + type + "\"")
                .contains("\"status\":" + status).contains("\"detail\":").doesNotContain("Exception", "\tat ");
    }

    /** A real in-memory store that can be switched off, to inject an outage. */
    private static final class OutageStore extends ForwardingIdempotencyStore {
        private final AtomicBoolean down;

        OutageStore(IdempotencyStore delegate, AtomicBoolean down) {
            super(delegate);
            this.down = down;
        }

        private void check() {
            if (down.get()) {
                throw new IdempotencyStoreException("store down (injected)");
            }
        }

        @Override
        public ClaimResult claim(ClaimRequest request) {
            check();
            return super.claim(request);
        }

        @Override
        public Optional<StoredRecord> find(RecordId id, Instant now) {
            check();
            return super.find(id, now);
        }

        @Override
        public boolean complete(RecordId id, OwnerToken token, StoredResult result) {
            check();
            return super.complete(id, token, result);
        }

        @Override
        public boolean fail(RecordId id, OwnerToken token, StoredError error) {
            check();
            return super.fail(id, token, error);
        }

        @Override
        public boolean release(RecordId id, OwnerToken token) {
            check();
            return super.release(id, token);
        }

        @Override
        public boolean renewLease(RecordId id, OwnerToken token, Instant leaseUntil) {
            check();
            return super.renewLease(id, token, leaseUntil);
        }
    }
}
