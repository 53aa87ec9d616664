package dev.idem.spring;

import dev.idem.memory.InMemoryIdempotencyStore;
import dev.idem.postgres.PostgresIdempotencyStore;
import dev.idem.postgres.PostgresSchema;
import dev.idem.redis.RedisIdempotencyStore;
import dev.idem.spi.IdempotencyStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ClassUtils;

/**
 * Idem's store: PostgreSQL when there is one PostgreSQL {@code DataSource} and idem-postgres is on the class path,
 * Redis when {@code idem.store=redis}, else the in-memory store, with a start-up log line naming it. An application's
 * own {@code IdempotencyStore} bean wins.
 */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnBooleanProperty(name = "idem.enabled", matchIfMissing = true)
@EnableConfigurationProperties(IdempotencyProperties.class)
@Import({IdempotencyStoreAutoConfiguration.RedisStoreConfiguration.class,
    IdempotencyStoreAutoConfiguration.PostgresStoreConfiguration.class})
public class IdempotencyStoreAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyStoreAutoConfiguration.class);

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

    /** The Redis store, when {@code idem.store=redis}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"dev.idem.redis.RedisIdempotencyStore", "io.lettuce.core.RedisClient"})
    @ConditionalOnExpression("'${idem.store:auto}'.toLowerCase() == 'redis'")
    static class RedisStoreConfiguration {

        /** A standalone (or Sentinel) client from {@code idem.redis.url}, unless the application has a client. */
        @Bean(destroyMethod = "shutdown")
        @ConditionalOnMissingBean({RedisClient.class, RedisClusterClient.class})
        RedisClient idemRedisClient(IdempotencyProperties properties) {
            String url = properties.getRedis().getUrl();
            if (url == null || url.isBlank()) {
                throw new IllegalStateException("idem.store=redis needs a RedisClient or RedisClusterClient bean, or"
                        + " idem.redis.url");
            }
            return RedisClient.create(url);
        }

        /** The store on the application's {@code RedisClusterClient} bean if it has one, else on the RedisClient. */
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean(IdempotencyStore.class)
        RedisIdempotencyStore redisIdempotencyStore(ObjectProvider<RedisClusterClient> clusterClient,
                                                    ObjectProvider<RedisClient> client,
                                                    IdempotencyProperties properties) {
            IdempotencyProperties.Redis redis = properties.getRedis();
            RedisClusterClient cluster = clusterClient.getIfUnique();
            log.info("Idem uses the Redis store{} (prefix {}, {} replica acknowledgement(s) per write)",
                    cluster != null ? " on a Redis Cluster" : "", redis.getKeyPrefix(),
                    redis.getReplicaAcknowledgements());
            RedisIdempotencyStore.Builder builder = cluster != null ? RedisIdempotencyStore.builder(cluster)
                    : RedisIdempotencyStore.builder(client.getObject());
            return builder.keyPrefix(redis.getKeyPrefix()).replicaAcknowledgements(redis.getReplicaAcknowledgements(),
                    redis.getReplicaAcknowledgementTimeout()).build();
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
}
