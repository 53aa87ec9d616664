package dev.idem.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.idem.Idempotency;
import dev.idem.IdempotencyRequest;
import dev.idem.memory.InMemoryIdempotencyStore;
import dev.idem.postgres.PostgresIdempotencyStore;
import dev.idem.servlet.IdempotencyFilter;
import dev.idem.spi.IdempotencyStore;
import dev.idem.redis.RedisIdempotencyStore;
import dev.idem.testing.PostgresTestDatabase;
import dev.idem.testing.RedisTestServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;

/** Which beans the starter creates, in which situation. */
class IdemAutoConfigurationTest {

    /** Shared by every context; handed to them wrapped, so closing a context does not close the pool. */
    private static HikariDataSource dataSource;

    @BeforeAll
    static void openPool() {
        dataSource = PostgresTestDatabase.newDataSource(5);
    }

    @AfterAll
    static void closePool() {
        dataSource.close();
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(IdemAutoConfiguration.class));

    @Test
    void withoutADataSourceTheStoreIsInMemory() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(Idempotency.class);
            assertThat(context.getBean(IdempotencyStore.class)).isInstanceOf(InMemoryIdempotencyStore.class);
        });
    }

    @Test
    void withADataSourceTheStoreIsPostgresAndTheTableIsCreated() {
        String table = PostgresTestDatabase.uniqueTableName("idem_auto");
        runner.withBean(DataSource.class, () -> new DelegatingDataSource(dataSource))
                .withPropertyValues("idem.postgres.table=" + table)
                .run(context -> {
                    assertThat(context.getBean(IdempotencyStore.class)).isInstanceOf(PostgresIdempotencyStore.class);
                    Idempotency idem = context.getBean(Idempotency.class);
                    assertThat(idem.execute(request("k"), String.class, () -> "ran")).isEqualTo("ran");
                });
        PostgresTestDatabase.execute(dataSource, "DROP TABLE " + table);
    }

    @Test
    void idemStoreRedisUsesTheRedisStore() {
        RedisTestServer.assumeAvailable();
        String prefix = RedisTestServer.uniquePrefix();
        runner.withBean(DataSource.class, () -> new DelegatingDataSource(dataSource))
                .withPropertyValues("idem.store=redis", "idem.redis.url=" + RedisTestServer.url().orElseThrow(),
                        "idem.redis.key-prefix=" + prefix)
                .run(context -> {
                    assertThat(context.getBean(IdempotencyStore.class)).isInstanceOf(RedisIdempotencyStore.class);
                    Idempotency idem = context.getBean(Idempotency.class);
                    assertThat(idem.execute(request("r1"), String.class, () -> "ran")).isEqualTo("ran");
                    assertThat(idem.execute(request("r1"), String.class, () -> "again")).isEqualTo("ran");
                });
        RedisTestServer.deleteKeys(prefix);
    }

    @Test
    void idemStoreRedisWithoutAUrlFailsAtStartWithAClearMessage() {
        runner.withPropertyValues("idem.store=redis").run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("idem.redis.url"));
    }

    @Test
    void idemStoreMemoryOverridesTheDataSource() {
        runner.withBean(DataSource.class, () -> new DelegatingDataSource(dataSource)).withPropertyValues("idem.store=memory")
                .run(context -> assertThat(context.getBean(IdempotencyStore.class))
                        .isInstanceOf(InMemoryIdempotencyStore.class));
    }

    @Test
    void idemStorePostgresWithoutADataSourceFailsAtStartWithAClearMessage() {
        runner.withPropertyValues("idem.store=postgres").run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("idem.store=postgres").hasMessageContaining("DataSource"));
    }

    @Test
    void aStoreOfTheApplicationWins() {
        InMemoryIdempotencyStore mine = new InMemoryIdempotencyStore(10);
        runner.withBean(DataSource.class, () -> new DelegatingDataSource(dataSource)).withBean(IdempotencyStore.class, () -> mine)
                .run(context -> assertThat(context.getBean(IdempotencyStore.class)).isSameAs(mine));
    }

    @Test
    void applicationsWithOnlyTheCoreOnTheClasspathStillStart() {
        runner.withClassLoader(new FilteredClassLoader("io.micrometer", "tools.jackson", "jakarta.servlet",
                        "dev.idem.servlet", "dev.idem.postgres", "dev.idem.redis", "io.lettuce"))
                .withPropertyValues("idem.prune.interval=1h")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Idempotency idem = context.getBean(Idempotency.class);
                    assertThat(idem.execute(request("plain"), String.class, () -> "ran")).isEqualTo("ran");
                    assertThat(context.getBean(IdempotencyPruner.class).pruneNow()).isZero();
                });
    }

    @Test
    void idemEnabledFalseConfiguresNothing() {
        runner.withPropertyValues("idem.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(Idempotency.class);
            assertThat(context).doesNotHaveBean(IdempotencyStore.class);
        });
    }

    @Test
    void propertiesReachTheEngineAndInvalidOnesFailFast() {
        runner.withPropertyValues("idem.ttl=1h", "idem.lease=10s", "idem.max-wait=500ms", "idem.key-max-length=64",
                "idem.missing-key-policy=generate").run(context -> {
                    Idempotency idem = context.getBean(Idempotency.class);
                    assertThat(idem.config().ttl()).isEqualTo(Duration.ofHours(1));
                    assertThat(idem.config().lease()).isEqualTo(Duration.ofSeconds(10));
                    assertThat(idem.config().maxWait()).isEqualTo(Duration.ofMillis(500));
                    assertThat(idem.config().maxKeyLength()).isEqualTo(64);
                    assertThat(idem.execute(IdempotencyRequest.builder("a").build(), String.class, () -> "no key"))
                            .isEqualTo("no key");
                });
        runner.withPropertyValues("idem.lease=0s").run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("lease"));
    }

    @Test
    void servletApplicationsGetTheFilterAndOthersDoNot() {
        new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(IdemAutoConfiguration.class))
                .run(context -> assertThat(context.getBean("idempotencyFilterRegistration", FilterRegistrationBean.class)
                        .getFilter()).isInstanceOf(IdempotencyFilter.class));
        runner.run(context -> assertThat(context).doesNotHaveBean(FilterRegistrationBean.class));
        new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(IdemAutoConfiguration.class))
                .withPropertyValues("idem.http.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(FilterRegistrationBean.class));
    }

    @Test
    void pruningDeletesExpiredRecordsAndCountsThem() {
        String table = PostgresTestDatabase.uniqueTableName("idem_prune");
        AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
        Clock clock = new Clock() {
            @Override
            public Instant instant() {
                return now.get();
            }

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        runner.withBean(DataSource.class, () -> new DelegatingDataSource(dataSource))
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withBean(IdempotencyConfigCustomizer.class, () -> builder -> builder.clock(clock))
                .withPropertyValues("idem.postgres.table=" + table, "idem.ttl=1h", "idem.prune.batch-size=2")
                .run(context -> {
                    Idempotency idem = context.getBean(Idempotency.class);
                    for (int i = 0; i < 5; i++) {
                        idem.execute(request("old-" + i), String.class, () -> "x");
                    }
                    now.set(now.get().plus(Duration.ofHours(2)));
                    idem.execute(request("fresh"), String.class, () -> "x");

                    assertThat(context.getBean(IdempotencyPruner.class).pruneNow()).isEqualTo(5);
                    assertThat(context.getBean(MeterRegistry.class).counter("idem.pruned").count()).isEqualTo(5);
                    assertThat(idem.store().find(new dev.idem.spi.RecordId("", "test", "fresh"), now.get())).isPresent();
                });
        PostgresTestDatabase.execute(dataSource, "DROP TABLE " + table);
    }

    @Test
    void aCronScheduleIsAcceptedAndAnInvalidOneFailsTheStart() {
        runner.withPropertyValues("idem.prune.cron=0 */10 * * * *")
                .run(context -> assertThat(context.getBean(IdempotencyPruner.class).isRunning()).isTrue());
        runner.withPropertyValues("idem.prune.cron=every tuesday").run(context -> assertThat(context).hasFailed()
                .getFailure().hasStackTraceContaining("idem.prune.cron is not a valid cron expression"));
    }

    @Test
    void metricsCountClaimsReplaysAndStoreLatencyPerAction() {
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
            Idempotency idem = context.getBean(Idempotency.class);
            idem.execute(request("m1"), String.class, () -> "x");
            idem.execute(request("m1"), String.class, () -> "x");
            MeterRegistry meters = context.getBean(MeterRegistry.class);

            assertThat(meters.counter("idem.claims", "action", "test", "takeover", "false").count()).isEqualTo(1);
            assertThat(meters.counter("idem.replays", "action", "test", "kind", "result").count()).isEqualTo(1);
            assertThat(meters.get("idem.store.latency").tag("operation", "claim").timer().count()).isEqualTo(2);
        });
    }

    private static IdempotencyRequest request(String key) {
        return IdempotencyRequest.builder("test").key(key).build();
    }
}
