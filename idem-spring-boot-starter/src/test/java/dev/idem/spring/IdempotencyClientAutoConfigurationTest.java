package dev.idem.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.client.CallOutcome;
import dev.idem.client.IdempotentCalls;
import dev.idem.testing.DocSnippets;
import dev.idem.testing.ScriptedHttpServer;
import dev.idem.testing.ScriptedHttpServer.Answer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.util.unit.DataSize;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

/** {@code idem.client.*}: Boot's HTTP client builders send one key per call and resend it on every retry. */
class IdempotencyClientAutoConfigurationTest {

    private final ScriptedHttpServer server = ScriptedHttpServer.start();
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(StarterAutoConfigurations.ALL)
            .withPropertyValues("idem.store=memory", "idem.client.initial-backoff=5ms", "idem.client.max-backoff=20ms");

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void offByDefault() {
        runner.run(context -> {
            assertThat(context).doesNotHaveBean(IdempotentCalls.class);
            assertThat(context).doesNotHaveBean(RestClientCustomizer.class);
        });
    }

    @Test
    void aCustomizedRestClientRetriesWithOneKeyAndTheListenerBeanHearsTheOutcome() {
        List<CallOutcome> outcomes = new CopyOnWriteArrayList<>();
        runner.withPropertyValues("idem.client.enabled=true", "idem.client.max-attempts=4")
                .withBean(Consumer.class, () -> (Consumer<CallOutcome>) outcomes::add)
                .run(context -> {
                    server.then(Answer.of(503, "a"), Answer.of(503, "b"), Answer.of(503, "c"), Answer.of(201, "ok"));
                    RestClient.Builder builder = RestClient.builder();
                    context.getBean(RestClientCustomizer.class).customize(builder);

                    String body = builder.build().post().uri(server.uri("/orders")).body("{}").retrieve()
                            .body(String.class);

                    assertThat(body).isEqualTo("ok");
                    assertThat(outcomes).singleElement().satisfies(o -> assertThat(o.attempts()).isEqualTo(4));
                    assertThat(server.received()).hasSize(4).extracting(r -> r.header("Idempotency-Key"))
                            .containsOnly("\"" + outcomes.get(0).key() + "\"");
                });
    }

    @Test
    void restTemplatesAndWebClientsAreCustomizedToo() {
        runner.withPropertyValues("idem.client.enabled=true").run(context -> {
            server.then(Answer.of(502, "x"), Answer.of(201, "template"), Answer.of(504, "y"), Answer.of(201, "web"));
            RestTemplate template = new RestTemplate();
            context.getBean(RestTemplateCustomizer.class).customize(template);
            assertThat(template.postForObject(server.uri("/orders"), "{}", String.class)).isEqualTo("template");

            WebClient.Builder web = WebClient.builder();
            context.getBean(WebClientCustomizer.class).customize(web);
            assertThat(web.build().post().uri(server.uri("/orders")).bodyValue("{}").retrieve()
                    .bodyToMono(String.class).block(Duration.ofSeconds(10))).isEqualTo("web");

            assertThat(server.received()).hasSize(4);
            assertThat(server.received().get(0).header("Idempotency-Key"))
                    .isEqualTo(server.received().get(1).header("Idempotency-Key"));
            assertThat(server.received().get(2).header("Idempotency-Key"))
                    .isEqualTo(server.received().get(3).header("Idempotency-Key"))
                    .isNotEqualTo(server.received().get(0).header("Idempotency-Key"));
        });
    }

    @Test
    void anInvalidSettingStopsTheStartWithItsName() {
        runner.withPropertyValues("idem.client.enabled=true", "idem.client.max-attempts=0").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("maxAttempts must be 1 to 100");
        });
    }

    @Test
    void theDocsYamlBindsAndStatesTheDefaults() throws Exception {
        String yaml = DocSnippets.block(Path.of("../docs/client.md"), "client-boot");
        List<String> pairs = new ArrayList<>();
        for (PropertySource<?> source : new YamlPropertySourceLoader().load("docs",
                new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8)))) {
            EnumerablePropertySource<?> enumerable = (EnumerablePropertySource<?>) source;
            for (String name : enumerable.getPropertyNames()) {
                pairs.add(name + "=" + enumerable.getProperty(name));
            }
        }
        new ApplicationContextRunner().withConfiguration(StarterAutoConfigurations.ALL)
                .withPropertyValues("idem.store=memory").withPropertyValues(pairs.toArray(String[]::new))
                .run(context -> {
                    IdempotencyProperties.Client bound = context.getBean(IdempotencyProperties.class).getClient();
                    IdempotencyProperties.Client defaults = new IdempotencyProperties.Client();
                    defaults.setEnabled(true);
                    assertThat(bound).usingRecursiveComparison().isEqualTo(defaults);
                    assertThat(bound.getMaxBodySize()).isEqualTo(DataSize.ofMegabytes(1));
                    IdempotentCalls calls = context.getBean(IdempotentCalls.class);
                    assertThat(calls.maxAttempts()).isEqualTo(IdempotentCalls.defaults().maxAttempts());
                    assertThat(calls.deadline()).isEqualTo(IdempotentCalls.defaults().deadline());
                    assertThat(calls.methods()).isEqualTo(IdempotentCalls.defaults().methods());
                });
    }
}
