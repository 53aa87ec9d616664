package dev.idem.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.client.CallOutcome;
import dev.idem.client.IdempotencyKeys;
import dev.idem.client.IdempotentCalls;
import dev.idem.client.IdempotentHttpClient;
import dev.idem.client.IdempotentResponse;
import dev.idem.client.okhttp.IdempotentOkHttpInterceptor;
import dev.idem.client.spring.IdempotentExchangeFilter;
import dev.idem.client.spring.IdempotentRequestInterceptor;
import dev.idem.reliability.HttpFaultProxy.Fault;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The caller's half against the real reference app: 500 logical calls from 8 threads through each Java adapter,
 * through an {@link HttpFaultProxy} that swallows responses after the server committed, resets connections
 * mid-request and stalls responses past the client's 1 s timeout, while the app's database is cut for 250 ms every
 * 2 s (a stretch of 503s from a failing store). The route runs in transactional mode and writes one effect row per
 * execution. Each adapter must leave exactly 500 effects, one per call, and every caller gets its own result. The
 * same load through a naive client, which makes a new key per attempt, must show duplicates, or the faults did not
 * bite.
 */
class ClientRetriesTest {

    private static final int CALLS = 500;
    private static final int THREADS = 8;
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(1);
    private static final String JSON = "application/json";
    private static final String AUTH = "Bearer " + Cluster.ALICE;

    private static Cluster cluster;
    private static AppInstance app;
    private static HttpFaultProxy proxy;
    private static ScheduledExecutorService outages;

    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong replays = new AtomicLong();
    private final IdempotentCalls calls = IdempotentCalls.builder().maxAttempts(10).deadline(Duration.ofSeconds(40))
            .initialBackoff(Duration.ofMillis(50)).maxBackoff(Duration.ofMillis(500)).listener(this::count).build();

    /** One logical call: returns the answer's body, which must be the caller's own. */
    @FunctionalInterface
    interface Caller {
        String post(String label) throws Exception;
    }

    @BeforeAll
    static void faultsBetweenTheClientsAndAnInstance() throws IOException {
        cluster = Cluster.get();
        app = cluster.instance(0);
        proxy = new HttpFaultProxy(app.port, n -> switch (n % 10) {
            case 1 -> Fault.SWALLOW;
            case 4 -> Fault.RESET;
            case 7 -> Fault.STALL;
            default -> Fault.NONE;
        });
        outages = Executors.newSingleThreadScheduledExecutor();
        outages.scheduleAtFixedRate(() -> {
            app.database.cut();
            outages.schedule(app.database::heal, 250, TimeUnit.MILLISECONDS);
        }, 1_000, 2_000, TimeUnit.MILLISECONDS);
    }

    @AfterAll
    static void stop() throws IOException {
        outages.shutdownNow();
        app.database.heal();
        proxy.close();
    }

    @BeforeEach
    void freshCounts() {
        proxy.reset();
    }

    private void count(CallOutcome outcome) {
        attempts.addAndGet(outcome.attempts());
        if (outcome.replayed()) {
            replays.incrementAndGet();
        }
    }

    private static URI route() {
        return URI.create("http://127.0.0.1:" + proxy.port() + "/api/tx-effects");
    }

    private static String body(String label) {
        return "{\"label\":\"" + label + "\"}";
    }

    @Test
    void javaNetHttpClient() throws Exception {
        IdempotentHttpClient client = IdempotentHttpClient.wrap(
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), calls);
        exactlyOnce("java.net.http", label -> {
            IdempotentResponse<String> response = client.send(HttpRequest.newBuilder(route())
                    .timeout(ATTEMPT_TIMEOUT).header("Content-Type", JSON).header("Authorization", AUTH)
                    .POST(HttpRequest.BodyPublishers.ofString(body(label))).build(), HttpResponse.BodyHandlers.ofString());
            return expect201(response.statusCode(), response.body());
        });
    }

    @Test
    void springRestClient() throws Exception {
        JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
        factory.setReadTimeout(ATTEMPT_TIMEOUT);
        RestClient client = RestClient.builder().requestFactory(factory)
                .requestInterceptor(new IdempotentRequestInterceptor(calls)).build();
        exactlyOnce("RestClient", label -> {
            ResponseEntity<String> response = client.post().uri(route()).header("Authorization", AUTH)
                    .contentType(org.springframework.http.MediaType.APPLICATION_JSON).body(body(label)).retrieve()
                    .toEntity(String.class);
            return expect201(response.getStatusCode().value(), response.getBody());
        });
    }

    @Test
    void springWebClient() throws Exception {
        WebClient client = WebClient.builder()
                .clientConnector(new ReactorClientHttpConnector(reactor.netty.http.client.HttpClient.create()
                        .responseTimeout(ATTEMPT_TIMEOUT)))
                .filter(new IdempotentExchangeFilter(calls)).build();
        exactlyOnce("WebClient", label -> {
            ResponseEntity<String> response = client.post().uri(route()).header("Authorization", AUTH)
                    .contentType(org.springframework.http.MediaType.APPLICATION_JSON).bodyValue(body(label))
                    .retrieve().toEntity(String.class).block(Duration.ofSeconds(60));
            return expect201(response.getStatusCode().value(), response.getBody());
        });
    }

    @Test
    void okHttp() throws Exception {
        OkHttpClient client = new OkHttpClient.Builder().readTimeout(ATTEMPT_TIMEOUT)
                .addInterceptor(new IdempotentOkHttpInterceptor(calls)).build();
        MediaType json = MediaType.get(JSON);
        exactlyOnce("OkHttp", label -> {
            try (Response response = client.newCall(new Request.Builder().url(route().toString())
                    .header("Authorization", AUTH).post(RequestBody.create(body(label), json)).build()).execute()) {
                return expect201(response.code(), response.body().string());
            }
        });
    }

    /** The control: a new key on every attempt, as one vendor's interceptor does. The faults must make duplicates. */
    @Test
    void aNaiveClientWithANewKeyPerAttemptRunsActionsTwice() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Result result = run("naive", label -> {
            for (int attempt = 1; ; attempt++) {
                attempts.incrementAndGet();
                try {
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(route())
                            .timeout(ATTEMPT_TIMEOUT).header("Content-Type", JSON).header("Authorization", AUTH)
                            .header("Idempotency-Key", IdempotencyKeys.headerValue(IdempotencyKeys.random()))
                            .POST(HttpRequest.BodyPublishers.ofString(body(label))).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 503 || attempt == 10) {
                        return expect201(response.statusCode(), response.body());
                    }
                } catch (IOException e) {
                    if (attempt == 10) {
                        throw e;
                    }
                }
                TimeUnit.MILLISECONDS.sleep(100); // the naive client's own backoff, not synchronisation
            }
        });
        assertThat(result.failures()).isEmpty();
        assertThat(result.effects()).as("effects for %d calls: the swallowed and stalled answers ran again", CALLS)
                .isGreaterThan(CALLS);
        Report.row("naive client (a new key per attempt) under the same faults", result.injected(),
                result.effects() + " effects for " + CALLS + " calls", 0, "the control: " + (result.effects() - CALLS)
                        + " duplicates in " + result.attempts() + " attempts");
    }

    private void exactlyOnce(String adapter, Caller caller) throws Exception {
        Result result = run(adapter, caller);
        assertThat(result.failures()).as("calls that did not get their own 201").isEmpty();
        assertThat(result.effects()).as("effects written for %d calls", CALLS).isEqualTo(CALLS);
        assertThat(result.distinctEffects()).as("calls with an effect").isEqualTo(CALLS);
        assertThat(proxy.count(Fault.SWALLOW)).isPositive();
        assertThat(proxy.count(Fault.RESET)).isPositive();
        assertThat(proxy.count(Fault.STALL)).isPositive();
        assertThat(proxy.responses(503)).as("503s from the failing store reached the clients").isPositive();
        assertThat(result.replays()).as("lost answers were replayed").isPositive();
        Report.row("client retries through " + adapter + ": responses swallowed, connections reset, answers stalled"
                + " past the timeout, 503 stretches", result.injected(), CALLS + " effects for " + CALLS + " calls ("
                + result.attempts() + " attempts, " + result.replays() + " replays)", 0,
                "every caller got its own 201; one key per call (idem-client)");
    }

    private record Result(List<String> failures, long effects, long distinctEffects, long attempts, long replays,
                          long injected) {
    }

    private Result run(String adapter, Caller caller) throws Exception {
        String prefix = adapter.replaceAll("[^A-Za-z]", "") + "-" + System.nanoTime() + "-";
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                String label = prefix + i;
                done.add(pool.submit((Callable<Void>) () -> {
                    try {
                        String answer = caller.post(label);
                        if (!answer.contains("\"label\":\"" + label + "\"")) {
                            failures.add(label + ": answered with another call's result " + answer);
                        }
                    } catch (Exception e) {
                        failures.add(label + ": " + e);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(proxy.protocolError()).isNull();
        long effects = cluster.db.count("SELECT count(*) FROM fault_effects WHERE label LIKE ?", prefix + "%");
        long distinct = cluster.db.count("SELECT count(DISTINCT label) FROM fault_effects WHERE label LIKE ?",
                prefix + "%");
        long injected = proxy.count(Fault.SWALLOW) + proxy.count(Fault.RESET) + proxy.count(Fault.STALL)
                + proxy.responses(503);
        System.out.printf("CLIENT %s: %d calls, %d attempts, %d replays, %d effects; swallowed %d, reset %d,"
                        + " stalled %d, 503s %d%n", adapter, CALLS, attempts.get(), replays.get(), effects,
                proxy.count(Fault.SWALLOW), proxy.count(Fault.RESET), proxy.count(Fault.STALL), proxy.responses(503));
        return new Result(List.copyOf(failures), effects, distinct, attempts.get(), replays.get(), injected);
    }

    private static String expect201(int status, String body) {
        if (status != 201) {
            throw new IllegalStateException("status " + status + ": " + body);
        }
        return body;
    }
}
