package dev.idem.example.practice.adapters.web;

import dev.idem.MissingKeyPolicy;
import dev.idem.spring.IdempotencyFilterConfigCustomizer;
import dev.idem.spring.IdempotencyHttpAutoConfiguration;
import java.util.regex.Pattern;
import org.apache.catalina.core.StandardHost;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The bearer-token filter (before Idem's), per-route missing-key policies for Idem's filter, and
 * problem+json for requests Tomcat itself refuses.
 */
@Configuration(proxyBeanMethods = false)
public class WebConfiguration {

    /** Ending a session is idempotent in the repository (BUG-091): a keyless end runs unprotected. */
    static final Pattern END_SESSION = Pattern.compile("/api/practice-sessions/[^/]+/end");
    /** Chat messages without a key get a server-generated one, stored with the message (P2 #5253 option A). */
    static final Pattern CHAT_MESSAGES = Pattern.compile("/api/chat-sessions/[^/]+/messages");

    @Bean
    FilterRegistrationBean<BearerTokenFilter> bearerTokenFilter(AuthProperties auth) {
        FilterRegistrationBean<BearerTokenFilter> registration = new FilterRegistrationBean<>(new BearerTokenFilter(auth));
        registration.addUrlPatterns("/api/*");
        registration.setOrder(IdempotencyHttpAutoConfiguration.FILTER_ORDER - 10);
        return registration;
    }

    /** The web page's flaky network ({@link DemoFaultValve}), in the demo profile only. */
    @Bean
    @ConditionalOnBooleanProperty(name = "practice.demo.faults")
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> demoFaults() {
        return factory -> factory.addEngineValves(new DemoFaultValve());
    }

    /** The flaky network's slow answers ({@link DemoSlowAnswerFilter}), before every other filter. */
    @Bean
    @ConditionalOnBooleanProperty(name = "practice.demo.faults")
    FilterRegistrationBean<DemoSlowAnswerFilter> demoSlowAnswers() {
        FilterRegistrationBean<DemoSlowAnswerFilter> registration = new FilterRegistrationBean<>(
                new DemoSlowAnswerFilter());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    /** Requests Tomcat refuses before any filter runs get problem+json too ({@link ProblemJsonErrorReportValve}). */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemJsonErrorPages() {
        return factory -> factory.addContextCustomizers(context -> ((StandardHost) context.getParent())
                .setErrorReportValveClass(ProblemJsonErrorReportValve.class.getName()));
    }

    /**
     * Per-route missing-key policies, on top of the starter's filter config (paths, headers, body limits and the
     * scope come from {@code idem.http.*}, so nothing the properties say is lost).
     */
    @Bean
    IdempotencyFilterConfigCustomizer perRouteMissingKeyPolicies() {
        return builder -> builder.missingKeyPolicy(request -> {
            String path = path(request);
            if (END_SESSION.matcher(path).matches()) {
                return MissingKeyPolicy.passThrough();
            }
            if (CHAT_MESSAGES.matcher(path).matches()) {
                return MissingKeyPolicy.generate();
            }
            return null; // the engine's: reject
        });
    }

    private static String path(jakarta.servlet.http.HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length());
    }
}
