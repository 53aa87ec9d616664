package dev.idem.spring;

import dev.idem.Idempotency;
import dev.idem.servlet.ActionResolver;
import dev.idem.servlet.IdempotencyFilter;
import dev.idem.servlet.IdempotencyFilterConfig;
import dev.idem.servlet.ScopeResolver;
import dev.idem.spi.IdempotencyStore;
import java.util.HashSet;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.AntPathMatcher;
import org.springframework.util.ClassUtils;

/**
 * The {@code Idempotency-Key} filter for servlet applications, from {@code idem.http.*}, its
 * {@link IdempotencyFilterConfigCustomizer}s and the application's resolver beans, with transactional routes
 * ({@code idem.http.transactional-paths}, {@link IdempotentRoute}) for Spring MVC applications with spring-jdbc.
 */
@AutoConfiguration(after = IdempotencyAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = {"idem.enabled", "idem.http.enabled"}, matchIfMissing = true)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(name = {"dev.idem.servlet.IdempotencyFilter", "jakarta.servlet.Filter"})
@Import(IdempotencyHttpAutoConfiguration.TransactionalRoutesConfiguration.class)
public class IdempotencyHttpAutoConfiguration {

    /**
     * The filter's order: after Spring Security's filter chain ({@code SecurityProperties.DEFAULT_FILTER_ORDER},
     * -100), so the principal is known, and before Spring MVC. Spring Security is not a dependency of the starter,
     * hence a constant rather than a reference.
     */
    public static final int FILTER_ORDER = -100 + 10;


    @Bean
    @ConditionalOnMissingBean
    IdempotencyFilterConfig idempotencyFilterConfig(IdempotencyProperties properties, ObjectProvider<ScopeResolver> scope,
                                                    ObjectProvider<ActionResolver> action,
                                                    ObjectProvider<IdempotencyFilterConfigCustomizer> customizers) {
        IdempotencyProperties.Http http = properties.getHttp();
        AntPathMatcher matcher = new AntPathMatcher();
        List<String> include = List.copyOf(http.getIncludePaths());
        List<String> exclude = List.copyOf(http.getExcludePaths());
        IdempotencyFilterConfig.Builder builder = IdempotencyFilterConfig.builder()
                .headerName(http.getHeaderName())
                .methods(new HashSet<>(http.getMethods()))
                .routes(request -> {
                    String path = request.getRequestURI().substring(request.getContextPath().length());
                    return include.stream().anyMatch(p -> matcher.match(p, path))
                            && exclude.stream().noneMatch(p -> matcher.match(p, path));
                })
                .scopeResolver(scope.getIfUnique(ScopeResolver::principalName))
                .anonymousRequests(IdempotencyFilterConfig.AnonymousRequests.valueOf(http.getAnonymous().name()))
                .maxRequestBodyBytes((int) Math.min(Integer.MAX_VALUE - 8, http.getMaxRequestBodySize().toBytes()))
                .maxResponseBodyBytes((int) Math.min(Integer.MAX_VALUE - 8, http.getMaxResponseBodySize().toBytes()))
                .replayedHeaders(new HashSet<>(http.getReplayedHeaders()));
        action.ifUnique(builder::actionResolver);
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        return builder.build();
    }

    /**
     * The filter, its transactional routes added to the config (also to an application's own config bean, unless
     * that one already names its transactional routes).
     */
    @Bean
    @ConditionalOnMissingBean(name = "idempotencyFilterRegistration")
    FilterRegistrationBean<IdempotencyFilter> idempotencyFilterRegistration(Idempotency idempotency,
            IdempotencyFilterConfig config, IdempotencyProperties properties,
            ObjectProvider<TransactionalRoutes> transactionalRoutes) {
        IdempotencyFilterConfig effective = config;
        TransactionalRoutes routes = transactionalRoutes.getIfAvailable();
        if (routes != null && config.routeTransaction() == null) {
            effective = config.toBuilder().transactional(routes, routes).build();
        } else if (routes == null && !properties.getHttp().getTransactionalPaths().isEmpty()) {
            throw new IllegalStateException("idem.http.transactional-paths needs Spring MVC (spring-webmvc) and "
                    + "spring-jdbc on the class path");
        }
        FilterRegistrationBean<IdempotencyFilter> registration =
                new FilterRegistrationBean<>(new IdempotencyFilter(idempotency, effective));
        registration.setName("idempotencyFilter");
        registration.setOrder(FILTER_ORDER);
        return registration;
    }

    /**
     * Transactional routes ({@code idem.http.transactional-paths}, {@link IdempotentRoute}) for Spring MVC
     * applications with spring-jdbc; checked and built once every singleton exists.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(name = {"dev.idem.servlet.IdempotencyFilter",
        "org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping",
        "org.springframework.transaction.support.TransactionTemplate"})
    @ConditionalOnBooleanProperty(name = "idem.http.enabled", matchIfMissing = true)
    static class TransactionalRoutesConfiguration {

        @Bean
        @ConditionalOnMissingBean
        TransactionalRoutes idempotencyTransactionalRoutes(IdempotencyProperties properties,
                @org.springframework.beans.factory.annotation.Qualifier("requestMappingHandlerMapping")
                ObjectProvider<org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping> mappings,
                ObjectProvider<IdempotencyStore> store,
                ObjectProvider<org.springframework.transaction.PlatformTransactionManager> managers,
                ResourceLoader resourceLoader) {
            return new TransactionalRoutes(properties.getHttp().getTransactionalPaths(), mappings, () -> {
                ClassLoader loader = resourceLoader.getClassLoader();
                if (!ClassUtils.isPresent("dev.idem.postgres.TransactionalIdempotency", loader)
                        || !ClassUtils.isPresent("org.springframework.jdbc.datasource.DataSourceUtils", loader)) {
                    throw new IllegalStateException("Idem's transactional routes need idem-postgres and spring-jdbc "
                            + "on the class path");
                }
                return SpringRouteTransaction.of(store.getIfUnique(), managers.getIfUnique());
            });
        }
    }
}
