package dev.idem.example.practice.adapters.web;

import dev.idem.MissingKeyPolicy;
import dev.idem.servlet.IdempotencyFilterConfig;
import dev.idem.servlet.ScopeResolver;
import dev.idem.spring.IdemAutoConfiguration;
import dev.idem.spring.IdemProperties;
import java.util.HashSet;
import java.util.regex.Pattern;
import org.apache.catalina.core.StandardHost;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The bearer-token filter (before Idem's), Idem's filter settings with per-route missing-key policies, and
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
        registration.setOrder(IdemAutoConfiguration.FILTER_ORDER - 10);
        return registration;
    }

    /** Requests Tomcat refuses before any filter runs get problem+json too ({@link ProblemJsonErrorReportValve}). */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemJsonErrorPages() {
        return factory -> factory.addContextCustomizers(context -> ((StandardHost) context.getParent())
                .setErrorReportValveClass(ProblemJsonErrorReportValve.class.getName()));
    }

    @Bean
    IdempotencyFilterConfig idempotencyFilterConfig(IdemProperties properties) {
        IdemProperties.Http http = properties.getHttp();
        return IdempotencyFilterConfig.builder()
                .headerName(http.getHeaderName())
                .methods(new HashSet<>(http.getMethods()))
                .routes(request -> path(request).startsWith("/api/"))
                .scopeResolver(ScopeResolver.principalName())
                .missingKeyPolicy(request -> {
                    String path = path(request);
                    if (END_SESSION.matcher(path).matches()) {
                        return MissingKeyPolicy.passThrough();
                    }
                    if (CHAT_MESSAGES.matcher(path).matches()) {
                        return MissingKeyPolicy.generate();
                    }
                    return null; // the engine's: reject
                })
                .maxRequestBodyBytes((int) http.getMaxRequestBodySize().toBytes())
                .maxResponseBodyBytes((int) http.getMaxResponseBodySize().toBytes())
                .replayedHeaders(new HashSet<>(http.getReplayedHeaders()))
                .build();
    }

    private static String path(jakarta.servlet.http.HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length());
    }
}
