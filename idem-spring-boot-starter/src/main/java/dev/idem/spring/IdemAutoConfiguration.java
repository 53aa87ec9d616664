package dev.idem.spring;

import dev.idem.Idempotency;
import dev.idem.IdempotencyConfig;
import dev.idem.IdempotencyListener;
import dev.idem.MissingKeyPolicy;
import dev.idem.ResultCodec;
import dev.idem.SimpleResultCodec;
import dev.idem.memory.InMemoryIdempotencyStore;
import dev.idem.postgres.PostgresIdempotencyStore;
import dev.idem.postgres.PostgresSchema;
import dev.idem.redis.RedisIdempotencyStore;
import dev.idem.servlet.IdempotencyFilter;
import dev.idem.servlet.IdempotencyFilterConfig;
import dev.idem.servlet.ScopeResolver;
import dev.idem.spi.IdempotencyStore;
import io.lettuce.core.RedisClient;
import java.util.HashSet;
import java.util.List;
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
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.util.AntPathMatcher;

/**
 * Wires Idem from {@code idem.*}: the store (PostgreSQL when a {@code DataSource} exists, Redis when
 * {@code idem.store=redis}, else in-memory, with a start-up log line naming it), the engine, the
 * {@code Idempotency-Key} filter for servlet applications, {@link Idempotent} methods, Micrometer metrics when a
 * {@code MeterRegistry} exists, and scheduled pruning. Every bean backs off when the application defines its own.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration"})
@ConditionalOnBooleanProperty(name = "idem.enabled", matchIfMissing = true)
@EnableConfigurationProperties(IdemProperties.class)
@Import({IdemAutoConfiguration.RedisStoreConfiguration.class, IdemAutoConfiguration.PostgresStoreConfiguration.class,
    IdemAutoConfiguration.JacksonCodecConfiguration.class, IdemAutoConfiguration.MetricsConfiguration.class,
    IdemAutoConfiguration.ServletFilterConfiguration.class})
public class IdemAutoConfiguration {

    /** The filter's order: after Spring Security's filter chain (-100), so the principal is known. */
    public static final int FILTER_ORDER = -90;

    private static final Logger log = LoggerFactory.getLogger(IdemAutoConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    IdempotencyConfig idempotencyConfig(IdemProperties properties, ObjectProvider<IdempotencyConfigCustomizer> customizers) {
        IdempotencyConfig.Builder builder = IdempotencyConfig.builder()
                .ttl(properties.getTtl())
                .lease(properties.getLease())
                .maxWait(properties.getMaxWait())
                .pollInterval(properties.getPollInterval())
                .maxKeyLength(properties.getKeyMaxLength())
                .missingKeyPolicy(switch (properties.getMissingKeyPolicy()) {
                    case REJECT -> MissingKeyPolicy.reject();
                    case PASS_THROUGH -> MissingKeyPolicy.passThrough();
                    case GENERATE -> MissingKeyPolicy.generate();
                    case DERIVE_FROM_CONTENT -> MissingKeyPolicy.deriveFromContent(properties.getDedupWindow());
                });
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        return builder.build();
    }

    /** The in-memory store, when no other store was configured (imported configurations register first). */
    @Bean
    @ConditionalOnMissingBean(IdempotencyStore.class)
    InMemoryIdempotencyStore idempotencyStore(IdemProperties properties) {
        if (properties.getStore() == IdemProperties.StoreType.POSTGRES
                || properties.getStore() == IdemProperties.StoreType.REDIS) {
            throw new IllegalStateException("idem.store=" + properties.getStore().name().toLowerCase()
                    + " but that store cannot be built: " + (properties.getStore() == IdemProperties.StoreType.POSTGRES
                    ? "no DataSource bean, or idem-postgres is not on the classpath"
                    : "idem-redis or Lettuce is not on the classpath"));
        }
        log.info("Idem uses the in-memory store (records are lost on restart; protects one instance only)");
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
                            ObjectProvider<IdemMetrics> metrics, ObjectProvider<IdempotencyListener> listeners) {
        IdemMetrics meters = metrics.getIfAvailable();
        IdempotencyListener listener = listeners.getIfAvailable(
                () -> meters != null ? meters.listener() : IdempotencyListener.NONE);
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
    IdempotencyPruner idempotencyPruner(Idempotency idempotency, IdemProperties properties,
                                        ObjectProvider<IdemMetrics> metrics) {
        IdemProperties.Prune prune = properties.getPrune();
        IdemMetrics meters = metrics.getIfAvailable();
        return new IdempotencyPruner(idempotency, prune.getInterval(), prune.getCron(), prune.getBatchSize(),
                meters != null ? meters::countPruned : rows -> { });
    }

    /** Micrometer meters, when Micrometer is on the classpath (they stay silent without a MeterRegistry bean). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class MetricsConfiguration {

        @Bean
        IdemMetrics idemMetrics(ObjectProvider<io.micrometer.core.instrument.MeterRegistry> registry) {
            return new IdemMetrics(registry);
        }
    }

    /** The Redis store, when {@code idem.store=redis}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"dev.idem.redis.RedisIdempotencyStore", "io.lettuce.core.RedisClient"})
    @ConditionalOnExpression("'${idem.store:auto}'.toLowerCase() == 'redis'")
    static class RedisStoreConfiguration {

        @Bean(destroyMethod = "shutdown")
        @ConditionalOnMissingBean
        RedisClient idemRedisClient(IdemProperties properties) {
            String url = properties.getRedis().getUrl();
            if (url == null || url.isBlank()) {
                throw new IllegalStateException("idem.store=redis needs a RedisClient bean or idem.redis.url");
            }
            return RedisClient.create(url);
        }

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean(IdempotencyStore.class)
        RedisIdempotencyStore redisIdempotencyStore(RedisClient client, IdemProperties properties) {
            log.info("Idem uses the Redis store (prefix {})", properties.getRedis().getKeyPrefix());
            return RedisIdempotencyStore.builder(client).keyPrefix(properties.getRedis().getKeyPrefix()).build();
        }
    }

    /** The PostgreSQL store, when a DataSource exists and {@code idem.store} is auto or postgres. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.idem.postgres.PostgresIdempotencyStore")
    @ConditionalOnBean(DataSource.class)
    @ConditionalOnExpression("'${idem.store:auto}'.toLowerCase() matches 'auto|postgres'")
    static class PostgresStoreConfiguration {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean(IdempotencyStore.class)
        PostgresIdempotencyStore postgresIdempotencyStore(DataSource dataSource, IdemProperties properties) {
            IdemProperties.Postgres postgres = properties.getPostgres();
            if (postgres.isCreateSchema()) {
                PostgresSchema.create(dataSource, postgres.getTable());
            }
            log.info("Idem uses the PostgreSQL store (table {})", postgres.getTable());
            return PostgresIdempotencyStore.builder(dataSource).table(postgres.getTable())
                    .notifications(postgres.isNotifications()).build();
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

    /** The {@code Idempotency-Key} filter for servlet applications. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(name = {"dev.idem.servlet.IdempotencyFilter", "jakarta.servlet.Filter"})
    @ConditionalOnBooleanProperty(name = "idem.http.enabled", matchIfMissing = true)
    static class ServletFilterConfiguration {

        @Bean
        @ConditionalOnMissingBean
        IdempotencyFilterConfig idempotencyFilterConfig(IdemProperties properties) {
            IdemProperties.Http http = properties.getHttp();
            AntPathMatcher matcher = new AntPathMatcher();
            List<String> include = List.copyOf(http.getIncludePaths());
            List<String> exclude = List.copyOf(http.getExcludePaths());
            return IdempotencyFilterConfig.builder()
                    .headerName(http.getHeaderName())
                    .methods(new HashSet<>(http.getMethods()))
                    .routes(request -> {
                        String path = request.getRequestURI().substring(request.getContextPath().length());
                        return include.stream().anyMatch(p -> matcher.match(p, path))
                                && exclude.stream().noneMatch(p -> matcher.match(p, path));
                    })
                    .scopeResolver(ScopeResolver.principalName())
                    .maxRequestBodyBytes((int) Math.min(Integer.MAX_VALUE - 8, http.getMaxRequestBodySize().toBytes()))
                    .maxResponseBodyBytes((int) Math.min(Integer.MAX_VALUE - 8, http.getMaxResponseBodySize().toBytes()))
                    .replayedHeaders(new HashSet<>(http.getReplayedHeaders()))
                    .build();
        }

        @Bean
        @ConditionalOnMissingBean(name = "idempotencyFilterRegistration")
        FilterRegistrationBean<IdempotencyFilter> idempotencyFilterRegistration(Idempotency idempotency,
                                                                               IdempotencyFilterConfig config) {
            FilterRegistrationBean<IdempotencyFilter> registration =
                    new FilterRegistrationBean<>(new IdempotencyFilter(idempotency, config));
            registration.setName("idempotencyFilter");
            registration.setOrder(FILTER_ORDER);
            return registration;
        }
    }
}
