package dev.idem.spring;

import dev.idem.client.CallOutcome;
import dev.idem.client.IdempotentCalls;
import dev.idem.client.spring.IdempotentExchangeFilter;
import dev.idem.client.spring.IdempotentRequestInterceptor;
import java.util.function.Consumer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The caller's half, when {@code idem.client.enabled=true} and idem-client-spring is on the class path: an
 * {@link IdempotentCalls} bean from {@code idem.client.*} (a {@code Consumer<CallOutcome>} bean, if any, hears every
 * call's outcome), and customizers that add it to every {@code RestClient.Builder}, {@code RestTemplateBuilder} and
 * {@code WebClient.Builder} Spring Boot builds. Clients built by hand take the interceptor or filter themselves.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "idem.client.enabled")
@ConditionalOnClass(IdempotentCalls.class)
@EnableConfigurationProperties(IdempotencyProperties.class)
public class IdempotencyClientAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    IdempotentCalls idempotentCalls(IdempotencyProperties properties,
                                    ObjectProvider<Consumer<CallOutcome>> listener) {
        IdempotencyProperties.Client client = properties.getClient();
        IdempotentCalls.Builder builder = IdempotentCalls.builder()
                .maxAttempts(client.getMaxAttempts())
                .deadline(client.getDeadline())
                .initialBackoff(client.getInitialBackoff())
                .maxBackoff(client.getMaxBackoff())
                .methods(client.getMethods().toArray(String[]::new));
        listener.ifAvailable(builder::listener);
        return builder.build();
    }

    /** RestClient and RestTemplate (spring-boot-restclient). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({IdempotentRequestInterceptor.class, RestClientCustomizer.class})
    static class RestClients {

        @Bean
        RestClientCustomizer idemRestClientCustomizer(IdempotentCalls calls) {
            IdempotentRequestInterceptor interceptor = new IdempotentRequestInterceptor(calls);
            return builder -> builder.requestInterceptor(interceptor);
        }

        @Bean
        RestTemplateCustomizer idemRestTemplateCustomizer(IdempotentCalls calls) {
            IdempotentRequestInterceptor interceptor = new IdempotentRequestInterceptor(calls);
            return template -> template.getInterceptors().add(interceptor);
        }
    }

    /** WebClient (spring-boot-webclient and spring-webflux). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"org.springframework.boot.webclient.WebClientCustomizer",
        "org.springframework.web.reactive.function.client.WebClient"})
    static class WebClients {

        @Bean
        WebClientCustomizer idemWebClientCustomizer(IdempotentCalls calls, IdempotencyProperties properties) {
            IdempotentExchangeFilter filter = new IdempotentExchangeFilter(calls,
                    Math.toIntExact(properties.getClient().getMaxBodySize().toBytes()));
            return builder -> builder.filter(filter);
        }
    }
}
