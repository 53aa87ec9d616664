package dev.idem.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.testing.DocSnippets;
import dev.idem.testing.ScriptedHttpServer;
import dev.idem.testing.ScriptedHttpServer.Answer;
import dev.idem.testing.ScriptedHttpServer.Received;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IdempotentHttpClientTest {

    private static final Path README = Path.of("../README.md");
    private static final Path DOC = Path.of("../docs/client.md");
    private static final Path SOURCE = Path.of("src/test/java/dev/idem/client/IdempotentHttpClientTest.java");

    private final ScriptedHttpServer server = ScriptedHttpServer.start();
    private final IdempotentHttpClient client = IdempotentHttpClient.wrap(
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
            IdempotentCalls.builder().initialBackoff(Duration.ofMillis(5)).maxBackoff(Duration.ofMillis(20)).build());

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpRequest.Builder post(String body) {
        return HttpRequest.newBuilder(server.uri("/orders")).POST(BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
    }

    @Test
    void everyAttemptOfACallCarriesTheSameQuotedKeyAndBody() throws Exception {
        server.then(Answer.of(503, "busy"), Answer.hangUp(), Answer.of(201, "{\"id\":1}"));

        IdempotentResponse<String> response = client.send(post("{\"n\":1}").build(), BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.body()).isEqualTo("{\"id\":1}");
        List<Received> received = server.received();
        assertThat(received).hasSize(3);
        String key = response.outcome().key();
        assertThat(key).matches("[0-9a-f-]{36}");
        assertThat(received).allSatisfy(r -> {
            assertThat(r.header("Idempotency-Key")).isEqualTo("\"" + key + "\"");
            assertThat(r.body()).isEqualTo("{\"n\":1}");
        });
        assertThat(response.outcome().attempts()).isEqualTo(3);
    }

    @Test
    void eachLogicalCallGetsItsOwnKey() throws Exception {
        String first = client.send(post("{}").build(), BodyHandlers.ofString()).outcome().key();
        String second = client.send(post("{}").build(), BodyHandlers.ofString()).outcome().key();
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void theCallersOwnKeyIsSentUnchanged() throws Exception {
        IdempotentResponse<String> response = client.send(post("{}").header("Idempotency-Key", "\"order-7\"")
                .build(), BodyHandlers.ofString());
        assertThat(response.outcome().key()).isEqualTo("order-7");
        assertThat(server.received().get(0).header("Idempotency-Key")).isEqualTo("\"order-7\"");
    }

    @Test
    void aReplayedAnswerIsReportedAsReplayed() throws Exception {
        server.then(Answer.of(201, Map.of("Idempotent-Replayed", "true"), "{\"id\":1}"));
        assertThat(client.send(post("{}").build(), BodyHandlers.ofString()).outcome().replayed()).isTrue();
    }

    @Test
    void aTimedOutAttemptIsRetriedWithTheSameKey() throws Exception {
        CountDownLatch slow = new CountDownLatch(1);
        server.then(Answer.of(201, "late").after(slow), Answer.of(201, "in time"));
        try {
            IdempotentResponse<String> response = client.send(post("{}").timeout(Duration.ofMillis(300)).build(),
                    BodyHandlers.ofString());
            assertThat(response.body()).isEqualTo("in time");
            assertThat(response.outcome().attempts()).isEqualTo(2);
            assertThat(server.received()).extracting(r -> r.header("Idempotency-Key")).containsOnly(
                    "\"" + response.outcome().key() + "\"");
        } finally {
            slow.countDown();
        }
    }

    @Test
    void theLastRetryableAnswerReachesTheCallersBodyHandlerIntact() throws Exception {
        server.then(Answer.of(503, "one"), Answer.of(503, "two"), Answer.problem(503, "store-unavailable", "down"));
        IdempotentResponse<String> response = client.send(post("{}").build(), BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("store-unavailable");
        assertThat(response.response().headers().firstValue("Content-Type")).contains("application/problem+json");
    }

    @Test
    void anInspected409StillHasItsBodyForTheCaller() throws Exception {
        server.then(Answer.problem(409, "checkout-open", "a checkout is open"));
        IdempotentResponse<byte[]> response = client.send(post("{}").build(), BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(new String(response.body())).contains("a checkout is open");
        assertThat(server.received()).hasSize(1);
    }

    @Test
    void aReusedKeyIsAKeyReusedException() {
        server.then(Answer.problem(422, "key-reused", "another body"));
        assertThatThrownBy(() -> client.send(post("{}").header("Idempotency-Key", "k-9").build(),
                BodyHandlers.ofString())).isInstanceOfSatisfying(KeyReusedException.class,
                        e -> assertThat(e.key()).isEqualTo("k-9"));
    }

    @Test
    void aBodyOfUnknownLengthIsRefusedBeforeAnythingIsSent() {
        HttpRequest streamed = HttpRequest.newBuilder(server.uri("/orders"))
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[] {1}))).build();
        assertThatThrownBy(() -> client.send(streamed, BodyHandlers.ofString()))
                .isInstanceOf(UnrepeatableBodyException.class).hasMessageContaining("ofString");
        assertThat(server.received()).isEmpty();
    }

    @Test
    void otherMethodsPassThroughWithoutAKeyOrRetries() throws Exception {
        server.then(Answer.of(503, "down"), Answer.of(200, "ok"));
        IdempotentResponse<String> response = client.send(HttpRequest.newBuilder(server.uri("/orders")).GET()
                .build(), BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(server.received()).singleElement().satisfies(r -> assertThat(r.header("Idempotency-Key"))
                .isNull());
    }

    @Test
    void whenNoAttemptAnswersTheLastFailureIsThrown() {
        server.then(Answer.hangUp(), Answer.hangUp(), Answer.hangUp());
        assertThatThrownBy(() -> client.send(post("{}").build(), BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
        assertThat(server.received()).hasSize(3);
    }

    @Test
    void sendAsyncReturnsAtOnceAndRetriesWithTheSameKeyAndBody() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        server.then(Answer.of(503, "busy"), Answer.hangUp(), Answer.of(201, "{\"id\":1}").after(answer));

        CompletableFuture<IdempotentResponse<String>> future = client.sendAsync(post("{\"n\":1}").build(),
                BodyHandlers.ofString());
        assertThat(future).as("while the server holds its last answer").isNotDone();
        answer.countDown();
        IdempotentResponse<String> response = future.get(10, TimeUnit.SECONDS);

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.body()).isEqualTo("{\"id\":1}");
        assertThat(response.outcome().attempts()).isEqualTo(3);
        assertThat(server.received()).hasSize(3).allSatisfy(r -> {
            assertThat(r.header("Idempotency-Key")).isEqualTo("\"" + response.outcome().key() + "\"");
            assertThat(r.body()).isEqualTo("{\"n\":1}");
        });
    }

    @Test
    void sendAsyncFailsWithTheLastFailureWhenNoAttemptAnswers() {
        server.then(Answer.hangUp(), Answer.hangUp(), Answer.hangUp());
        assertThat(client.sendAsync(post("{}").build(), BodyHandlers.ofString())).failsWithin(10, TimeUnit.SECONDS)
                .withThrowableOfType(ExecutionException.class).havingCause().isInstanceOf(IOException.class);
        assertThat(server.received()).hasSize(3);
    }

    @Test
    void sendAsyncRefusesABodyOfUnknownLengthAndPassesOtherMethodsThrough() throws Exception {
        HttpRequest streamed = HttpRequest.newBuilder(server.uri("/orders"))
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[] {1}))).build();
        assertThatThrownBy(() -> client.sendAsync(streamed, BodyHandlers.ofString()))
                .isInstanceOf(UnrepeatableBodyException.class);

        server.then(Answer.of(503, "down"));
        IdempotentResponse<String> response = client.sendAsync(HttpRequest.newBuilder(server.uri("/orders")).GET()
                .build(), BodyHandlers.ofString()).get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(server.received()).singleElement().satisfies(r -> assertThat(r.header("Idempotency-Key"))
                .isNull());
    }

    @Test
    void cancellingSendAsyncStopsTheRetries() throws Exception {
        CountDownLatch firstAnswer = new CountDownLatch(1);
        BlockingQueue<CallOutcome> ended = new LinkedBlockingQueue<>();
        IdempotentHttpClient listened = IdempotentHttpClient.wrap(client.httpClient(),
                IdempotentCalls.builder().initialBackoff(Duration.ofMillis(5)).listener(ended::add).build());
        server.then(Answer.of(503, "busy").after(firstAnswer), Answer.of(201, "too late"));

        CompletableFuture<IdempotentResponse<String>> future = listened.sendAsync(post("{}").build(),
                BodyHandlers.ofString());
        assertThat(future.cancel(false)).isTrue();
        firstAnswer.countDown(); // a retryable answer reaches a call nobody waits for

        CallOutcome outcome = ended.poll(10, TimeUnit.SECONDS);
        assertThat(outcome).as("how the call ended").isNotNull();
        assertThat(outcome.attempts()).isEqualTo(1);
        assertThat(outcome.answered()).isFalse();
        assertThat(server.received()).hasSize(1);
    }

    @Test
    void theDocsExampleRunsAsWritten() throws Exception {
        server.then(Answer.of(503, "busy"), Answer.of(201, "{\"order\":1}"));
        URI orders = server.uri("/orders");
        // docs:client-jdk
        IdempotentHttpClient client = IdempotentHttpClient.wrap(HttpClient.newHttpClient());

        HttpRequest request = HttpRequest.newBuilder(orders)
                .timeout(Duration.ofSeconds(2)) // each attempt's own timeout
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"book-1\"}"))
                .build();
        IdempotentResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        CallOutcome outcome = response.outcome(); // its key, how many attempts, whether replayed
        // docs:end
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(outcome.attempts()).isEqualTo(2);
        assertThat(DocSnippets.region(SOURCE, "client-jdk")).isEqualTo(DocSnippets.block(README, "client-jdk"));
    }

    @Test
    void theDocsSettingsExampleRunsAsWritten() throws Exception {
        // docs:client-settings
        IdempotentCalls calls = IdempotentCalls.builder()
                .maxAttempts(5)                         // default 3, the first included
                .deadline(Duration.ofSeconds(30))       // default 10 s: no attempt starts later
                .initialBackoff(Duration.ofMillis(100)) // default 200 ms, then doubling, with jitter
                .maxBackoff(Duration.ofSeconds(5))      // default 2 s; a Retry-After is honoured as sent
                .methods("POST", "PATCH", "PUT")        // default POST and PATCH
                .listener(outcome -> System.out.println(outcome))
                .build();
        IdempotentHttpClient client = IdempotentHttpClient.wrap(HttpClient.newHttpClient(), calls);
        // docs:end
        assertThat(client.send(HttpRequest.newBuilder(server.uri("/o")).PUT(BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString()).outcome().key()).isNotEmpty();
        assertThat(server.received().get(0).header("Idempotency-Key")).isNotNull();
        assertThat(DocSnippets.region(SOURCE, "client-settings")).isEqualTo(DocSnippets.block(DOC, "client-settings"));
    }
}
