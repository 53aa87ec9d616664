package dev.idem.client.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.client.CallOutcome;
import dev.idem.client.IdempotentCalls;
import dev.idem.client.KeyReusedException;
import dev.idem.client.UnrepeatableBodyException;
import dev.idem.testing.DocSnippets;
import dev.idem.testing.ScriptedHttpServer;
import dev.idem.testing.ScriptedHttpServer.Answer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

class IdempotentExchangeFilterTest {

    private static final Duration BLOCK = Duration.ofSeconds(10);

    private final ScriptedHttpServer server = ScriptedHttpServer.start();
    private final List<CallOutcome> outcomes = new CopyOnWriteArrayList<>();
    private final IdempotentCalls calls = IdempotentCalls.builder().initialBackoff(Duration.ofMillis(5))
            .maxBackoff(Duration.ofMillis(20)).listener(outcomes::add).build();
    private final WebClient client = WebClient.builder()
            .clientConnector(new ReactorClientHttpConnector(HttpClient.create()
                    .responseTimeout(Duration.ofMillis(500))))
            .filter(new IdempotentExchangeFilter(calls, 1024))
            .build();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void everyAttemptCarriesTheSameKeyTheSameBodyAndTheSameContentType() {
        server.then(Answer.of(503, "busy"), Answer.hangUp(), Answer.of(201, "{\"id\":1}"));

        String body = client.post().uri(server.uri("/orders")).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"n\":1}").retrieve().bodyToMono(String.class).block(BLOCK);

        assertThat(body).isEqualTo("{\"id\":1}");
        CallOutcome outcome = outcomes.get(0);
        assertThat(outcome.attempts()).isEqualTo(3);
        assertThat(server.received()).hasSize(3).allSatisfy(r -> {
            assertThat(r.header("Idempotency-Key")).isEqualTo("\"" + outcome.key() + "\"");
            assertThat(r.body()).isEqualTo("{\"n\":1}");
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
            assertThat(r.header("Content-Length")).isEqualTo("7");
        });
    }

    @Test
    void aTimedOutAttemptIsRetriedWithTheSameKey() {
        CountDownLatch slow = new CountDownLatch(1);
        server.then(Answer.of(201, "late").after(slow), Answer.of(201, "in time"));
        try {
            assertThat(client.post().uri(server.uri("/orders")).bodyValue("{}").retrieve()
                    .bodyToMono(String.class).block(BLOCK)).isEqualTo("in time");
        } finally {
            slow.countDown();
        }
        assertThat(outcomes.get(0).attempts()).isEqualTo(2);
        assertThat(server.received()).extracting(r -> r.header("Idempotency-Key")).containsOnly(
                "\"" + outcomes.get(0).key() + "\"");
    }

    @Test
    void theCallersOwnKeyIsKeptAndAReplayIsReported() {
        server.then(Answer.of(201, Map.of("Idempotent-Replayed", "true"), "{}"));
        ResponseEntity<String> entity = client.post().uri(server.uri("/orders"))
                .header("Idempotency-Key", "\"order-7\"").bodyValue("{}").retrieve().toEntity(String.class)
                .block(BLOCK);
        assertThat(entity.getHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
        assertThat(outcomes.get(0).key()).isEqualTo("order-7");
        assertThat(outcomes.get(0).replayed()).isTrue();
    }

    @Test
    void aConflictThatIsNotInProgressReachesTheCallerWithItsBody() {
        server.then(Answer.problem(409, "checkout-open", "a checkout is open"));
        assertThatThrownBy(() -> client.post().uri(server.uri("/orders")).bodyValue("{}").retrieve()
                .bodyToMono(String.class).block(BLOCK))
                .isInstanceOfSatisfying(WebClientResponseException.Conflict.class,
                        e -> assertThat(e.getResponseBodyAsString()).contains("a checkout is open"));
        assertThat(server.received()).hasSize(1);
    }

    @Test
    void aRequestInProgressIsRetried() {
        server.then(Answer.problem(409, "request-in-progress", "still running"), Answer.of(201, "done"));
        assertThat(client.post().uri(server.uri("/orders")).bodyValue("{}").retrieve().bodyToMono(String.class)
                .block(BLOCK)).isEqualTo("done");
    }

    @Test
    void aReusedKeyIsAKeyReusedException() {
        server.then(Answer.problem(422, "key-reused", "another body"));
        assertThatThrownBy(() -> client.post().uri(server.uri("/orders")).header("Idempotency-Key", "k-9")
                .bodyValue("{}").retrieve().toBodilessEntity().block(BLOCK))
                .isInstanceOfSatisfying(KeyReusedException.class, e -> assertThat(e.key()).isEqualTo("k-9"));
    }

    @Test
    void aBodyOverTheLimitIsRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> client.post().uri(server.uri("/orders")).bodyValue("x".repeat(2000)).retrieve()
                .toBodilessEntity().block(BLOCK))
                .hasRootCauseInstanceOf(UnrepeatableBodyException.class)
                .rootCause().hasMessageContaining("over 1024 bytes");
        assertThat(server.received()).isEmpty();
    }

    @Test
    void otherMethodsPassThroughWithoutAKeyOrRetries() {
        server.then(Answer.of(200, "ok"));
        assertThat(client.get().uri(server.uri("/orders")).retrieve().bodyToMono(String.class).block(BLOCK))
                .isEqualTo("ok");
        assertThat(server.received()).singleElement().satisfies(r -> assertThat(r.header("Idempotency-Key"))
                .isNull());
        assertThat(outcomes).isEmpty();
    }

    @Test
    void theDocsExampleRunsAsWritten() {
        server.then(Answer.of(503, "busy"), Answer.of(201, "{\"order\":1}"));
        URI orders = server.uri("/orders");
        // docs:client-webclient
        WebClient client = WebClient.builder()
                .filter(new IdempotentExchangeFilter()) // waits without blocking; keeps the body for a resend
                .build();
        Mono<String> order = client.post().uri(orders)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"sku\":\"book-1\"}")
                .retrieve()
                .bodyToMono(String.class);
        // docs:end
        assertThat(order.block(BLOCK)).isEqualTo("{\"order\":1}");
        assertThat(server.received()).hasSize(2);
        assertThat(DocSnippets.region(Path.of("src/test/java/dev/idem/client/spring/IdempotentExchangeFilterTest.java"),
                "client-webclient")).isEqualTo(DocSnippets.block(Path.of("../README.md"), "client-webclient"));
    }
}
