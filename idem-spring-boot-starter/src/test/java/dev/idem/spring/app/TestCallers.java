package dev.idem.spring.app;

import dev.idem.servlet.ScopeResolver;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The test applications have no authentication, so they name their callers themselves (an application-supplied
 * {@link ScopeResolver}, one of the ways to allow callers without a principal): the principal when a test sets one,
 * else the {@code X-Client} header, else one test client.
 */
@Configuration(proxyBeanMethods = false)
public class TestCallers {

    @Bean
    ScopeResolver callers() {
        return request -> request.getUserPrincipal() != null ? request.getUserPrincipal().getName()
                : request.getHeader("X-Client") != null ? "client-" + request.getHeader("X-Client") : "test-client";
    }
}
