package dev.idem.client.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.client.CallOutcome;
import dev.idem.client.IdempotentCalls;
import dev.idem.client.KeyReusedException;
import dev.idem.client.UnrepeatableBodyException;
import dev.idem.testing.DocSnippets;
import dev.idem.testing.ScriptedHttpServer;
import dev.idem.testing.ScriptedHttpServer.Answer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IdempotentOkHttpInterceptorTest {

    private static final MediaType JSON = MediaType.get("application/json");

    private final ScriptedHttpServer server = ScriptedHttpServer.start();
    private final List<CallOutcome> outcomes = new CopyOnWriteArrayList<>();
    private final OkHttpClient client = new OkHttpClient.Builder()
            .addInterceptor(new IdempotentOkHttpInterceptor(IdempotentCalls.builder()
                    .initialBackoff(Duration.ofMillis(5)).maxBackoff(Duration.ofMillis(20))
                    .listener(outcomes::add).build()))
            .readTimeout(Duration.ofMillis(500))
            .retryOnConnectionFailure(false) // OkHttp's own silent retry would hide attempts from the counts
            .build();

    @AfterEach
    void stop() {
        server.close();
    }

    private Request.Builder post(String json) {
        return new Request.Builder().url(server.uri("/orders").toString()).post(RequestBody.create(json, JSON));
    }

    @Test
    void everyAttemptCarriesTheSameQuotedKeyAndTheCallerGetsTheAnswer() throws Exception {
        server.then(Answer.of(503, "busy"), Answer.hangUp(), Answer.of(201, "{\"id\":1}"));
        try (Response response = client.newCall(post("{\"n\":1}").build()).execute()) {
            assertThat(response.code()).isEqualTo(201);
            assertThat(response.body().string()).isEqualTo("{\"id\":1}");
        }
        CallOutcome outcome = outcomes.get(0);
        assertThat(outcome.attempts()).isEqualTo(3);
        assertThat(server.received()).hasSize(3).allSatisfy(r -> {
            assertThat(r.header("Idempotency-Key")).isEqualTo("\"" + outcome.key() + "\"");
            assertThat(r.body()).isEqualTo("{\"n\":1}");
        });
    }

    @Test
    void aTimedOutAttemptIsRetriedWithTheSameKey() throws Exception {
        CountDownLatch slow = new CountDownLatch(1);
        server.then(Answer.of(201, "late").after(slow), Answer.of(201, "in time"));
        try (Response response = client.newCall(post("{}").build()).execute()) {
            assertThat(response.body().string()).isEqualTo("in time");
        } finally {
            slow.countDown();
        }
        assertThat(outcomes.get(0).attempts()).isEqualTo(2);
        assertThat(server.received()).extracting(r -> r.header("Idempotency-Key")).containsOnly(
                "\"" + outcomes.get(0).key() + "\"");
    }

    @Test
    void theCallersOwnKeyIsKeptAndAReplayIsReported() throws Exception {
        server.then(Answer.of(201, java.util.Map.of("Idempotent-Replayed", "true"), "{}"));
        try (Response response = client.newCall(post("{}").header("Idempotency-Key", "\"order-7\"").build())
                .execute()) {
            assertThat(response.header("Idempotent-Replayed")).isEqualTo("true");
        }
        assertThat(outcomes.get(0).key()).isEqualTo("order-7");
        assertThat(outcomes.get(0).replayed()).isTrue();
        assertThat(server.received().get(0).header("Idempotency-Key")).isEqualTo("\"order-7\"");
    }

    @Test
    void aConflictThatIsNotInProgressIsAnsweredWithItsBodyIntact() throws Exception {
        server.then(Answer.problem(409, "checkout-open", "a checkout is open"));
        try (Response response = client.newCall(post("{}").build()).execute()) {
            assertThat(response.code()).isEqualTo(409);
            assertThat(response.body().string()).contains("a checkout is open");
        }
        assertThat(server.received()).hasSize(1);
    }

    @Test
    void aRequestInProgressIsRetried() throws Exception {
        server.then(Answer.problem(409, "request-in-progress", "still running"), Answer.of(201, "done"));
        try (Response response = client.newCall(post("{}").build()).execute()) {
            assertThat(response.body().string()).isEqualTo("done");
        }
    }

    @Test
    void aReusedKeyIsAKeyReusedException() {
        server.then(Answer.problem(422, "key-reused", "another body"));
        assertThatThrownBy(() -> client.newCall(post("{}").header("Idempotency-Key", "k-9").build()).execute())
                .isInstanceOfSatisfying(KeyReusedException.class, e -> assertThat(e.key()).isEqualTo("k-9"));
    }

    @Test
    void aOneShotBodyIsRefusedBeforeAnythingIsSent() {
        RequestBody oneShot = new RequestBody() {
            @Override
            public MediaType contentType() {
                return JSON;
            }

            @Override
            public void writeTo(BufferedSink sink) throws java.io.IOException {
                sink.writeUtf8("{}");
            }

            @Override
            public boolean isOneShot() {
                return true;
            }
        };
        assertThatThrownBy(() -> client.newCall(new Request.Builder().url(server.uri("/orders").toString())
                .post(oneShot).build()).execute()).isInstanceOf(UnrepeatableBodyException.class)
                .hasMessageContaining("one-shot");
        assertThat(server.received()).isEmpty();
    }

    @Test
    void otherMethodsPassThroughWithoutAKeyOrRetries() throws Exception {
        server.then(Answer.of(503, "down"), Answer.of(200, "ok"));
        try (Response response = client.newCall(new Request.Builder().url(server.uri("/orders").toString()).build())
                .execute()) {
            assertThat(response.code()).isEqualTo(503);
        }
        assertThat(server.received()).singleElement().satisfies(r -> assertThat(r.header("Idempotency-Key"))
                .isNull());
        assertThat(outcomes).isEmpty();
    }

    @Test
    void theDocsExampleRunsAsWritten() throws Exception {
        server.then(Answer.of(503, "busy"), Answer.of(201, "{\"order\":1}"));
        String orders = server.uri("/orders").toString();
        String order;
        // docs:client-okhttp
        OkHttpClient client = new OkHttpClient.Builder()
                .addInterceptor(new IdempotentOkHttpInterceptor()) // an application interceptor
                .build();

        Request request = new Request.Builder().url(orders)
                .post(RequestBody.create("{\"sku\":\"book-1\"}", MediaType.get("application/json")))
                .build();
        try (Response response = client.newCall(request).execute()) {
            order = response.body().string();
        }
        // docs:end
        assertThat(order).isEqualTo("{\"order\":1}");
        assertThat(server.received()).hasSize(2);
        assertThat(DocSnippets.region(Path.of("src/test/java/dev/idem/client/okhttp/IdempotentOkHttpInterceptorTest.java"),
                "client-okhttp")).isEqualTo(DocSnippets.block(Path.of("../README.md"), "client-okhttp"));
    }
}
