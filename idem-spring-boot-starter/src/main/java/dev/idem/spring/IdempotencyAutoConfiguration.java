package dev.idem.spring;

import dev.idem.Idempotency;
import dev.idem.IdempotencyConfig;
import dev.idem.IdempotencyListener;
import dev.idem.MissingKeyPolicy;
import dev.idem.ResultCodec;
import dev.idem.ResultEncryption;
import dev.idem.SimpleResultCodec;
import dev.idem.jackson.JacksonResultCodec;
import dev.idem.memory.InMemoryIdempotencyStore;
import dev.idem.postgres.PostgresIdempotencyStore;
import dev.idem.postgres.PostgresSchema;
import dev.idem.redis.RedisIdempotencyStore;
import dev.idem.servlet.ActionResolver;
import dev.idem.servlet.IdempotencyFilter;
import dev.idem.servlet.IdempotencyFilterConfig;
import dev.idem.servlet.ScopeResolver;
import dev.idem.spi.ForwardingIdempotencyStore;
import dev.idem.spi.IdempotencyStore;
import io.lettuce.core.RedisClient;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.AntPathMatcher;
import org.springframework.util.ClassUtils;

/**
 * Wires Idem from {@code idem.*}: the store (PostgreSQL when a PostgreSQL {@code DataSource} exists and idem-postgres
 * is on the classpath, Redis when {@code idem.store=redis}, else in-memory, with a start-up log line naming it), the
 * engine with its result codec (Jackson 3, else Jackson 2 through idem-jackson, else core's simple codec), the
 * {@code Idempotency-Key} filter for servlet applications, {@link Idempotent} methods, Micrometer metrics when a
 * {@code MeterRegistry} exists, and scheduled pruning. Every bean backs off when the application defines its own.
 *
 * <p>Classes of optional dependencies (idem-postgres, idem-redis, Lettuce, idem-servlet, Micrometer, Jackson) are
 * named only inside the nested configurations guarded by {@code @ConditionalOnClass}, so the starter runs with
 * idem-core alone.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration"})
@ConditionalOnBooleanProperty(name = "idem.enabled", matchIfMissing = true)
@EnableConfigurationProperties(IdempotencyProperties.class)
@Import({IdempotencyAutoConfiguration.RedisStoreConfiguration.class, IdempotencyAutoConfiguration.PostgresStoreConfiguration.class,
    IdempotencyAutoConfiguration.JacksonCodecConfiguration.class, IdempotencyAutoConfiguration.Jackson2CodecConfiguration.class,
    IdempotencyAutoConfiguration.MetricsConfiguration.class, IdempotencyAutoConfiguration.ServletFilterConfiguration.class,
    IdempotencyAutoConfiguration.TransactionalRoutesConfiguration.class})
public class IdempotencyAutoConfiguration {

    /**
     * The filter's order: after Spring Security's filter chain ({@code SecurityProperties.DEFAULT_FILTER_ORDER},
     * -100), so the principal is known, and before Spring MVC. Spring Security is not a dependency of the starter,
     * hence a constant rather than a reference.
     */
    public static final int FILTER_ORDER = -100 + 10;

    private static final Logger log = LoggerFactory.getLogger(IdempotencyAutoConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    IdempotencyConfig idempotencyConfig(IdempotencyProperties properties, ObjectProvider<IdempotencyConfigCustomizer> customizers) {
        IdempotencyConfig.Builder builder = IdempotencyConfig.builder()
                .ttl(properties.getTtl())
                .lease(properties.getLease())
                .maxWait(properties.getMaxWait())
                .pollInterval(properties.getPollInterval())
                .maxKeyLength(properties.getMaxKeyLength())
                .missingKeyPolicy(MissingKeyPolicy.of(properties.getMissingKeyPolicy(), properties.getDedupWindow()));
        IdempotencyProperties.Encryption encryption = properties.getEncryption();
        if (!encryption.getKeys().isEmpty() || encryption.getCurrentKey() != null) {
            builder.encryption(resultEncryption(encryption));
        }
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        return builder.build();
    }

    /** The key ring of {@code idem.encryption.*}; a start-up error names the key that is wrong. */
    private static ResultEncryption resultEncryption(IdempotencyProperties.Encryption encryption) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        encryption.getKeys().forEach((id, base64) -> {
            try {
                keys.put(id, Base64.getDecoder().decode(base64.strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("idem.encryption.keys." + id + " is not Base64: " + e.getMessage());
            }
        });
        if (encryption.getCurrentKey() == null) {
            throw new IllegalStateException("idem.encryption.keys is set but idem.encryption.current-key is not");
        }
        try {
            return ResultEncryption.aesGcm(encryption.getCurrentKey(), keys);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("idem.encryption: " + e.getMessage(), e);
        }
    }

    /** The in-memory store, when no other store was configured (the nested configurations register first). */
    @Bean
    @ConditionalOnMissingBean(IdempotencyStore.class)
    InMemoryIdempotencyStore idempotencyStore(IdempotencyProperties properties, ObjectProvider<DataSource> dataSources,
                                              ResourceLoader resourceLoader) {
        if (properties.getStore() == IdempotencyProperties.StoreType.POSTGRES
                || properties.getStore() == IdempotencyProperties.StoreType.REDIS) {
            throw new IllegalStateException("idem.store=" + properties.getStore().name().toLowerCase()
                    + " but that store cannot be built: " + (properties.getStore() == IdempotencyProperties.StoreType.POSTGRES
                    ? "no DataSource bean, or idem-postgres is not on the classpath"
                    : "idem-redis or Lettuce is not on the classpath"));
        }
        if (properties.getStore() == IdempotencyProperties.StoreType.AUTO && dataSources.stream().findAny().isPresent()
                && !ClassUtils.isPresent("dev.idem.postgres.PostgresIdempotencyStore", resourceLoader.getClassLoader())) {
            log.warn("Idem found a DataSource but not idem-postgres on the classpath: add dev.idem:idem-postgres to"
                    + " keep idempotency records in the database, or set idem.store=memory to silence this warning");
        }
        log.info("Idem uses the in-memory store (records are lost on restart; single instance only)");
        return new InMemoryIdempotencyStore();
    }

    @Bean
    @ConditionalOnMissingBean
    ResultCodec idempotencyResultCodec() {
        return new SimpleResultCodec();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Idempotency idempotency(IdempotencyStore store, IdempotencyConfig config, ResultCodec codec,
                            ObjectProvider<IdempotencyMetrics> metrics, ObjectProvider<IdempotencyListener> listeners) {
        IdempotencyMetrics meters = metrics.getIfAvailable();
        List<IdempotencyListener> all = new ArrayList<>(listeners.orderedStream().toList());
        IdempotencyListener metered = meters != null ? meters.listener() : IdempotencyListener.NONE;
        if (metered != IdempotencyListener.NONE) {
            all.add(metered);
        }
        IdempotencyListener listener = IdempotencyListener.composite(all);
        IdempotencyStore effective = meters != null ? meters.timed(store) : store;
        return Idempotency.builder(effective).config(config).codec(codec).listener(listener).build();
    }

    @Bean
    static IdempotentMethodPostProcessor idempotentMethodPostProcessor(ObjectProvider<Idempotency> idempotency) {
        return new IdempotentMethodPostProcessor(idempotency);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "idem.prune.enabled", matchIfMissing = true)
    IdempotencyPruner idempotencyPruner(Idempotency idempotency, IdempotencyProperties properties,
                                        ObjectProvider<IdempotencyMetrics> metrics) {
        IdempotencyProperties.Prune prune = properties.getPrune();
        IdempotencyMetrics meters = metrics.getIfAvailable();
        IdempotencyPruner pruner = new IdempotencyPruner(idempotency, prune.getInterval(), prune.getCron(),
                prune.getBatchSize(), meters != null ? meters::countPruned : rows -> { });
        IdempotencyStore store = idempotency.store();
        if (store.expiresRecordsItself()) {
            IdempotencyStore named = store instanceof ForwardingIdempotencyStore forwarding ? forwarding.delegate() : store;
            log.info("Idem does not schedule pruning: {} expires records itself", named.getClass().getSimpleName());
            pruner.disableAutoStartup();
        }
        return pruner;
    }

    /** Micrometer meters, when Micrometer is on the classpath (they stay silent without a MeterRegistry bean). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class MetricsConfiguration {

        @Bean
        IdempotencyMetrics idemMetrics(ObjectProvider<io.micrometer.core.instrument.MeterRegistry> registry) {
            return new IdempotencyMetrics(registry);
        }
    }

    /** The Redis store, when {@code idem.store=redis}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"dev.idem.redis.RedisIdempotencyStore", "io.lettuce.core.RedisClient"})
    @ConditionalOnExpression("'${idem.store:auto}'.toLowerCase() == 'redis'")
    static class RedisStoreConfiguration {

        @Bean(destroyMethod = "shutdown")
        @ConditionalOnMissingBean
        RedisClient idemRedisClient(IdempotencyProperties properties) {
            String url = properties.getRedis().getUrl();
            if (url == null || url.isBlank()) {
                throw new IllegalStateException("idem.store=redis needs a RedisClient bean or idem.redis.url");
            }
            return RedisClient.create(url);
        }

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean(IdempotencyStore.class)
        RedisIdempotencyStore redisIdempotencyStore(RedisClient client, IdempotencyProperties properties) {
            log.info("Idem uses the Redis store (prefix {})", properties.getRedis().getKeyPrefix());
            return RedisIdempotencyStore.builder(client).keyPrefix(properties.getRedis().getKeyPrefix()).build();
        }
    }

    /**
     * The PostgreSQL store, when there is one DataSource (or a primary one) and {@code idem.store} is auto or
     * postgres. Under auto, a DataSource of another database (H2 in tests, say) gets the in-memory store instead.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.idem.postgres.PostgresIdempotencyStore")
    @ConditionalOnSingleCandidate(DataSource.class)
    @ConditionalOnExpression("'${idem.store:auto}'.toLowerCase() matches 'auto|postgres'")
    static class PostgresStoreConfiguration {

        @Bean
        @ConditionalOnMissingBean(IdempotencyStore.class)
        IdempotencyStore postgresIdempotencyStore(DataSource dataSource, IdempotencyProperties properties) {
            IdempotencyProperties.Postgres postgres = properties.getPostgres();
            String product = databaseProduct(dataSource);
            if (product != null && !product.equalsIgnoreCase("PostgreSQL")) {
                if (properties.getStore() == IdempotencyProperties.StoreType.POSTGRES) {
                    throw new IllegalStateException("idem.store=postgres but the DataSource is " + product
                            + ", not PostgreSQL");
                }
                log.info("Idem uses the in-memory store (records are lost on restart; single instance only):"
                        + " the DataSource is {}, not PostgreSQL", product);
                return new InMemoryIdempotencyStore();
            }
            if (postgres.isCreateSchema()) {
                PostgresSchema.create(dataSource, postgres.getTable());
            }
            log.info("Idem uses the PostgreSQL store (table {})", postgres.getTable());
            return PostgresIdempotencyStore.builder(dataSource).table(postgres.getTable())
                    .notifications(postgres.isNotifications()).build();
        }

        /** The database's product name, or null when it cannot be reached now (then PostgreSQL is assumed). */
        private static String databaseProduct(DataSource dataSource) {
            try (Connection connection = dataSource.getConnection()) {
                return connection.getMetaData().getDatabaseProductName();
            } catch (SQLException e) {
                log.warn("Idem could not ask the DataSource which database it is ({}); assuming PostgreSQL",
                        e.getMessage());
                return null;
            }
        }
    }

    /** Results as JSON with the application's Jackson 3 mapper, when there is one. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "tools.jackson.databind.json.JsonMapper")
    @ConditionalOnBean(type = "tools.jackson.databind.json.JsonMapper")
    static class JacksonCodecConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ResultCodec idempotencyResultCodec(tools.jackson.databind.json.JsonMapper mapper) {
            return new Jackson3ResultCodec(mapper);
        }
    }

    /**
     * Results as JSON with Jackson 2 through {@code idem-jackson}, when the application has no Jackson 3 mapper
     * (the application's {@code ObjectMapper} bean if it has one). The two Jackson configurations exclude each
     * other by condition, because nested configuration classes are registered in no guaranteed order.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"dev.idem.jackson.JacksonResultCodec", "com.fasterxml.jackson.databind.ObjectMapper"})
    @ConditionalOnMissingBean(type = "tools.jackson.databind.json.JsonMapper")
    static class Jackson2CodecConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ResultCodec idempotencyResultCodec(ObjectProvider<com.fasterxml.jackson.databind.ObjectMapper> mapper) {
            com.fasterxml.jackson.databind.ObjectMapper own = mapper.getIfUnique();
            return own != null ? new JacksonResultCodec(own) : JacksonResultCodec.create();
        }
    }

    /** The {@code Idempotency-Key} filter for servlet applications. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(name = {"dev.idem.servlet.IdempotencyFilter", "jakarta.servlet.Filter"})
    @ConditionalOnBooleanProperty(name = "idem.http.enabled", matchIfMissing = true)
    static class ServletFilterConfiguration {

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
