package dev.idem.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.ErrorPolicy;
import dev.idem.Idempotency;
import dev.idem.IdempotencyConfig;
import dev.idem.memory.InMemoryIdempotencyStore;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A response the filter does not store (503 here) releases the key even when the application's error policy
 * replays every error: the release is the engine's own outcome, never handed to the policy, so a transient failure
 * cannot become a stored 500 for the whole TTL.
 */
class ReleasedResponsesTest {

    private final AtomicInteger executions = new AtomicInteger();
    private final HttpClient http = HttpClient.newHttpClient();
    private JettyApp server;
    private Idempotency idempotency;
    private String base;

    @BeforeEach
    void startServer() throws Exception {
        ErrorPolicy replayEverything = error -> ErrorPolicy.Disposition.REPLAY;
        idempotency = Idempotency.builder(new InMemoryIdempotencyStore())
                .config(IdempotencyConfig.builder().errorPolicy(replayEverything).build()).build();
        server = JettyApp.start(new IdempotencyFilter(idempotency,
                IdempotencyFilterConfig.builder().scopeResolver(request -> "client-1").build()), new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                int n = executions.incrementAndGet();
                resp.setStatus(n == 1 ? 503 : 201); // the gateway is down once, then back
                resp.getWriter().write("run " + n);
            }
        });
        base = server.base;
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
        idempotency.close();
    }

    @Test
    void aServiceUnavailableAnswerIsReleasedAndTheRetryRunsUnderAPolicyThatReplaysEveryError() throws Exception {
        HttpResponse<String> first = post("k1");
        HttpResponse<String> retry = post("k1");

        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(first.body()).isEqualTo("run 1");
        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo("run 2");
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(executions.get()).isEqualTo(2);
    }

    private HttpResponse<String> post(String key) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/pay")).header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    }
}
