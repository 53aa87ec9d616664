package dev.idem.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.Idempotency;
import dev.idem.MissingKeyPolicy;
import dev.idem.memory.InMemoryIdempotencyStore;
import dev.idem.servlet.IdempotencyFilterConfig.AnonymousRequests;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Anonymous callers (no principal, so the default {@link ScopeResolver#principalName()} names no owner) share no
 * scope: two of them sending the same key and body used to get each other's stored response, a session token here.
 */
class AnonymousRequestsTest {

    private final AtomicInteger executions = new AtomicInteger();
    private final HttpClient http = HttpClient.newHttpClient();
    private JettyApp server;
    private Idempotency idempotency;
    private String base;

    /** A sign-up that answers with the caller's own new session token. */
    private void start(IdempotencyFilterConfig config) throws Exception {
        idempotency = Idempotency.builder(new InMemoryIdempotencyStore()).build();
        server = JettyApp.start(new IdempotencyFilter(idempotency, config), new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                resp.setStatus(201);
                resp.getWriter().write("{\"sessionToken\":\"secret-of-caller-" + executions.incrementAndGet() + "\"}");
            }
        });
        base = server.base;
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        idempotency.close();
    }

    @Test
    void byDefaultAnAnonymousCallerIsRefusedSoNoOtherCallerCanReplayItsResponse() throws Exception {
        start(IdempotencyFilterConfig.ofDefaults());

        HttpResponse<String> alice = post("signup-1");
        HttpResponse<String> mallory = post("signup-1");

        for (HttpResponse<String> response : java.util.List.of(alice, mallory)) {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("Content-Type").orElseThrow())
                    .startsWith("application/problem+json");
            assertThat(response.body()).contains("https://idem.dev/problems/unauthenticated")
                    .doesNotContain("secret-of-caller");
        }
        assertThat(executions.get()).isZero();
    }

    @Test
    void passThroughRunsAnonymousRequestsUnprotectedAndStoresNothing() throws Exception {
        start(IdempotencyFilterConfig.builder().anonymousRequests(AnonymousRequests.PASS_THROUGH).build());

        HttpResponse<String> first = post("signup-2");
        HttpResponse<String> second = post("signup-2");

        assertThat(first.body()).contains("secret-of-caller-1");
        assertThat(second.body()).contains("secret-of-caller-2");
        assertThat(second.headers().firstValue("Idempotent-Replayed")).isEmpty();
    }

    @Test
    void randomKeysOnlyProtectsAnonymousRequestsWithAVersion4UuidAndRefusesGuessableKeys() throws Exception {
        start(IdempotencyFilterConfig.builder().anonymousRequests(AnonymousRequests.RANDOM_KEYS_ONLY).build());
        String key = UUID.randomUUID().toString();

        HttpResponse<String> first = post(key);
        HttpResponse<String> retry = post(key);
        HttpResponse<String> guessable = post("signup-3");
        HttpResponse<String> otherVersion = post("00000000-0000-1000-8000-000000000000");

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        for (HttpResponse<String> refused : java.util.List.of(guessable, otherVersion)) {
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("key-invalid").contains("random (version 4) UUID");
        }
        assertThat(executions.get()).isEqualTo(1);
    }

    @Test
    void randomKeysOnlyRefusesAKeyDerivedFromContentWhichEveryCallerWouldShare() throws Exception {
        start(IdempotencyFilterConfig.builder().anonymousRequests(AnonymousRequests.RANDOM_KEYS_ONLY)
                .missingKeyPolicy(request -> MissingKeyPolicy.deriveFromContent(java.time.Duration.ofMinutes(1)))
                .build());

        HttpResponse<String> keyless = post(null);

        assertThat(keyless.statusCode()).isEqualTo(400);
        assertThat(executions.get()).isZero();
    }

    @Test
    void anApplicationResolverThatNamesAnonymousCallersDecidesForThem() throws Exception {
        start(IdempotencyFilterConfig.builder()
                .scopeResolver(request -> "device-" + request.getHeader("X-Device")).build());

        HttpResponse<String> phone = post("signup-4", "phone");
        HttpResponse<String> laptop = post("signup-4", "laptop");

        assertThat(phone.statusCode()).isEqualTo(201);
        assertThat(laptop.statusCode()).isEqualTo(201);
        assertThat(laptop.body()).isNotEqualTo(phone.body());
    }

    private HttpResponse<String> post(String key) throws Exception {
        return post(key, null);
    }

    private HttpResponse<String> post(String key, String device) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/signup"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"plan\":\"free\"}"));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        if (device != null) {
            request.header("X-Device", device);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
