package dev.idem.client.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.client.CallOutcome;
import dev.idem.client.IdempotentCalls;
import dev.idem.client.KeyReusedException;
import dev.idem.testing.DocSnippets;
import dev.idem.testing.ScriptedHttpServer;
import dev.idem.testing.ScriptedHttpServer.Answer;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

class IdempotentRequestInterceptorTest {

    private final ScriptedHttpServer server = ScriptedHttpServer.start();
    private final List<CallOutcome> outcomes = new CopyOnWriteArrayList<>();
    private final IdempotentCalls calls = IdempotentCalls.builder().initialBackoff(Duration.ofMillis(5))
            .maxBackoff(Duration.ofMillis(20)).listener(outcomes::add).build();
    private final JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());

    @AfterEach
    void stop() {
        server.close();
    }

    private RestClient restClient() {
        factory.setReadTimeout(Duration.ofMillis(500));
        return RestClient.builder().requestFactory(factory)
                .requestInterceptor(new IdempotentRequestInterceptor(calls)).build();
    }

    @Test
    void everyAttemptCarriesTheSameQuotedKeyAndBodyAndLaterInterceptorsRunEachTime() {
        server.then(Answer.of(503, "busy"), Answer.hangUp(), Answer.of(201, "{\"id\":1}"));
        AtomicInteger later = new AtomicInteger();
        RestClient client = restClient().mutate().requestInterceptor((request, body, execution) -> {
            later.incrementAndGet();
            return execution.execute(request, body);
        }).build();

        String body = client.post().uri(server.uri("/orders")).contentType(MediaType.APPLICATION_JSON)
                .body("{\"n\":1}").retrieve().body(String.class);

        assertThat(body).isEqualTo("{\"id\":1}");
        CallOutcome outcome = outcomes.get(0);
        assertThat(outcome.attempts()).isEqualTo(3);
        assertThat(later).as("the interceptor after ours ran on every attempt").hasValue(3);
        assertThat(server.received()).hasSize(3).allSatisfy(r -> {
            assertThat(r.header("Idempotency-Key")).isEqualTo("\"" + outcome.key() + "\"");
            assertThat(r.body()).isEqualTo("{\"n\":1}");
        });
    }

    @Test
    void aTimedOutAttemptIsRetriedWithTheSameKey() {
        CountDownLatch slow = new CountDownLatch(1);
        server.then(Answer.of(201, "late").after(slow), Answer.of(201, "in time"));
        try {
            assertThat(restClient().post().uri(server.uri("/orders")).body("{}").retrieve().body(String.class))
                    .isEqualTo("in time");
        } finally {
            slow.countDown();
        }
        assertThat(server.received()).extracting(r -> r.header("Idempotency-Key")).containsOnly(
                "\"" + outcomes.get(0).key() + "\"");
    }

    @Test
    void theCallersOwnKeyIsKeptAndAReplayIsReported() {
        server.then(Answer.of(201, java.util.Map.of("Idempotent-Replayed", "true"), "{}"));
        ResponseEntity<String> entity = restClient().post().uri(server.uri("/orders"))
                .header("Idempotency-Key", "\"order-7\"").body("{}").retrieve().toEntity(String.class);
        assertThat(entity.getHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
        assertThat(outcomes.get(0).key()).isEqualTo("order-7");
        assertThat(outcomes.get(0).replayed()).isTrue();
    }

    @Test
    void aConflictThatIsNotInProgressReachesTheCallerWithItsBody() {
        server.then(Answer.problem(409, "checkout-open", "a checkout is open"));
        assertThatThrownBy(() -> restClient().post().uri(server.uri("/orders")).body("{}").retrieve()
                .body(String.class)).isInstanceOfSatisfying(HttpClientErrorException.Conflict.class,
                        e -> assertThat(e.getResponseBodyAsString()).contains("a checkout is open"));
        assertThat(server.received()).hasSize(1);
    }

    @Test
    void aRequestInProgressIsRetried() {
        server.then(Answer.problem(409, "request-in-progress", "still running"), Answer.of(201, "done"));
        assertThat(restClient().post().uri(server.uri("/orders")).body("{}").retrieve().body(String.class))
                .isEqualTo("done");
    }

    @Test
    void aReusedKeyIsAKeyReusedException() {
        server.then(Answer.problem(422, "key-reused", "another body"));
        assertThatThrownBy(() -> restClient().post().uri(server.uri("/orders")).header("Idempotency-Key", "k-9")
                .body("{}").retrieve().toBodilessEntity())
                .isInstanceOfSatisfying(KeyReusedException.class, e -> assertThat(e.key()).isEqualTo("k-9"));
    }

    @Test
    void otherMethodsPassThroughWithoutAKeyOrRetries() {
        server.then(Answer.of(200, "ok"));
        assertThat(restClient().get().uri(server.uri("/orders")).retrieve().body(String.class)).isEqualTo("ok");
        assertThat(server.received()).singleElement().satisfies(r -> assertThat(r.header("Idempotency-Key"))
                .isNull());
        assertThat(outcomes).isEmpty();
    }

    @Test
    void restTemplateTakesTheSameInterceptor() {
        server.then(Answer.of(502, "bad gateway"), Answer.of(201, "made"));
        RestTemplate template = new RestTemplate(factory);
        template.getInterceptors().add(new IdempotentRequestInterceptor(calls));

        assertThat(template.postForObject(server.uri("/orders"), "{}", String.class)).isEqualTo("made");
        assertThat(server.received()).hasSize(2).extracting(r -> r.header("Idempotency-Key"))
                .containsOnly("\"" + outcomes.get(0).key() + "\"");
    }

    @Test
    void theDocsExampleRunsAsWritten() {
        server.then(Answer.of(503, "busy"), Answer.of(201, "{\"order\":1}"), Answer.of(201, "{\"order\":2}"));
        URI orders = server.uri("/orders");
        // docs:client-restclient
        RestClient client = RestClient.builder()
                .requestInterceptor(new IdempotentRequestInterceptor())
                .build();
        String order = client.post().uri(orders)
                .contentType(MediaType.APPLICATION_JSON)
                .body("{\"sku\":\"book-1\"}")
                .retrieve()
                .body(String.class);

        RestTemplate template = new RestTemplate();
        template.getInterceptors().add(new IdempotentRequestInterceptor());
        // docs:end
        assertThat(order).isEqualTo("{\"order\":1}");
        assertThat(template.postForObject(orders, "{}", String.class)).isEqualTo("{\"order\":2}");
        assertThat(DocSnippets.region(Path.of("src/test/java/dev/idem/client/spring/IdempotentRequestInterceptorTest.java"),
                "client-restclient")).isEqualTo(DocSnippets.block(Path.of("../README.md"), "client-restclient"));
    }
}
