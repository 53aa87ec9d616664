package dev.idem.spring;

import dev.idem.jackson3.Jackson3ResultCodec;
import dev.idem.tck.TestClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.idem.Idempotency;
import dev.idem.IdempotencyConfig;
import dev.idem.IdempotencyRequest;
import dev.idem.ResultCodec;
import dev.idem.SimpleResultCodec;
import dev.idem.jackson.JacksonResultCodec;
import dev.idem.memory.InMemoryIdempotencyStore;
import dev.idem.postgres.PostgresIdempotencyStore;
import dev.idem.redis.RedisIdempotencyStore;
import dev.idem.servlet.ActionResolver;
import dev.idem.servlet.IdempotencyFilter;
import dev.idem.servlet.IdempotencyFilterConfig;
import dev.idem.servlet.ScopeResolver;
import dev.idem.spi.ForwardingIdempotencyStore;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spi.RecordId;
import dev.idem.testing.PostgresTestDatabase;
import dev.idem.testing.RedisTestCluster;
import dev.idem.testing.RedisTestServer;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.mock.web.MockHttpServletRequest;
import static org.awaitility.Awaitility.await;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/** Which beans the starter creates, in which situation. */
@ExtendWith(OutputCaptureExtension.class)
class IdempotencyAutoConfigurationTest {

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
            .withConfiguration(StarterAutoConfigurations.ALL);

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
    void anyStoreThatExpiresRecordsItselfGetsNoPruningScheduleNotJustRedis() {
        IdempotencyStore selfExpiring = new ForwardingIdempotencyStore(new InMemoryIdempotencyStore()) {
            @Override
            public boolean expiresRecordsItself() {
                return true;
            }
        };
        runner.withBean(IdempotencyStore.class, () -> selfExpiring).run(context ->
                assertThat(context.getBean(IdempotencyPruner.class).isRunning()).isFalse());
        runner.withBean(IdempotencyStore.class, InMemoryIdempotencyStore::new).run(context ->
                assertThat(context.getBean(IdempotencyPruner.class).isRunning()).isTrue());
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
                    assertThat(context.getBean(IdempotencyPruner.class).isRunning())
                            .as("Redis expires records itself: no pruning schedule").isFalse();
                    Idempotency idem = context.getBean(Idempotency.class);
                    assertThat(idem.execute(request("r1"), String.class, () -> "ran")).isEqualTo("ran");
                    assertThat(idem.execute(request("r1"), String.class, () -> "again")).isEqualTo("ran");
                });
        RedisTestServer.deleteKeys(prefix);
    }

    @Test
    void withTheNearCacheOnReplaysOfAFinishedRecordNeverReachTheStore() {
        java.util.concurrent.atomic.AtomicLong claims = new java.util.concurrent.atomic.AtomicLong();
        IdempotencyStore counting = new ForwardingIdempotencyStore(new InMemoryIdempotencyStore()) {
            @Override
            public dev.idem.spi.ClaimResult claim(dev.idem.spi.ClaimRequest request) {
                claims.incrementAndGet();
                return super.claim(request);
            }
        };
        runner.withBean(IdempotencyStore.class, () -> counting).withPropertyValues("idem.near-cache.enabled=true")
                .run(context -> {
                    Idempotency idem = context.getBean(Idempotency.class);
                    assertThat(idem.execute(request("n1"), String.class, () -> "ran")).isEqualTo("ran");
                    for (int i = 0; i < 20; i++) {
                        assertThat(idem.execute(request("n1"), String.class, () -> "again")).isEqualTo("ran");
                    }
                    assertThat(claims).as("claims that reached the store").hasValue(1);
                });
        runner.withBean(IdempotencyStore.class, () -> counting).run(context -> {
            Idempotency idem = context.getBean(Idempotency.class);
            idem.execute(request("n2"), String.class, () -> "ran");
            idem.execute(request("n2"), String.class, () -> "again");
            assertThat(claims).as("off by default: every replay asks the store").hasValue(3);
        });
    }

    @Test
    void theNearCacheWithoutIdemCaffeineFailsAtStartWithAClearMessage() {
        runner.withClassLoader(new FilteredClassLoader("dev.idem.caffeine"))
                .withPropertyValues("idem.near-cache.enabled=true")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("idem.near-cache.enabled=true needs dev.idem:idem-caffeine"));
    }

    @Test
    void aRedisClusterClientBeanPutsTheStoreOnTheClusterWithoutAUrl() {
        RedisTestCluster cluster = RedisTestCluster.get();
        io.lettuce.core.cluster.RedisClusterClient client = io.lettuce.core.cluster.RedisClusterClient.create(
                io.lettuce.core.RedisURI.create("redis://127.0.0.1:" + cluster.masterPorts().get(0)));
        String prefix = RedisTestServer.uniquePrefix();
        try {
            runner.withBean(io.lettuce.core.cluster.RedisClusterClient.class, () -> client)
                    .withPropertyValues("idem.store=redis", "idem.redis.key-prefix=" + prefix,
                            "idem.redis.replica-acknowledgements=1")
                    .run(context -> {
                        assertThat(context).hasNotFailed().doesNotHaveBean(io.lettuce.core.RedisClient.class);
                        RedisIdempotencyStore store = context.getBean(RedisIdempotencyStore.class);
                        Idempotency idem = context.getBean(Idempotency.class);
                        for (int i = 0; i < 30; i++) { // keys on every master: a standalone client would get MOVED
                            assertThat(idem.execute(request("c" + i), String.class, () -> "ran")).isEqualTo("ran");
                        }
                        assertThat(idem.execute(request("c1"), String.class, () -> "again")).isEqualTo("ran");
                        assertThat(store.keyPrefix()).isEqualTo(prefix);
                    });
        } finally {
            client.shutdown();
        }
    }

    @Test
    void replicaAcknowledgementsReachTheRedisStoreAndAReplicalessRedisRefusesEveryClaim() {
        RedisTestServer.assumeAvailable();
        String prefix = RedisTestServer.uniquePrefix();
        runner.withPropertyValues("idem.store=redis", "idem.redis.url=" + RedisTestServer.url().orElseThrow(),
                        "idem.redis.key-prefix=" + prefix, "idem.redis.replica-acknowledgements=1",
                        "idem.redis.replica-acknowledgement-timeout=50ms")
                .run(context -> {
                    Idempotency idem = context.getBean(Idempotency.class);
                    java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
                    // the test server has no replica: no write can be acknowledged, so nothing runs unprotected
                    assertThatThrownBy(() -> idem.execute(request("w1"), String.class, () -> "ran " + runs.incrementAndGet()))
                            .isInstanceOf(dev.idem.IdempotencyStoreException.class)
                            .hasStackTraceContaining("0 of 1 replicas acknowledged it within 50 ms");
                    assertThat(runs).hasValue(0);
                });
        RedisTestServer.deleteKeys(prefix);
    }

    @Test
    void idemStoreRedisWithoutAUrlFailsAtStartWithAClearMessage() {
        runner.withPropertyValues("idem.store=redis").run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("idem.redis.url"));
    }

    @Test
    void aDataSourceOfAnotherDatabaseKeepsTheInMemoryStoreUnderAuto() {
        runner.withBean(DataSource.class, IdempotencyAutoConfigurationTest::h2)
                .run(context -> assertThat(context.getBean(IdempotencyStore.class))
                        .isInstanceOf(InMemoryIdempotencyStore.class));
        runner.withBean(DataSource.class, IdempotencyAutoConfigurationTest::h2).withPropertyValues("idem.store=postgres")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("idem.store=postgres but the DataSource is H2"));
    }

    @Test
    void aDataSourceWithoutIdemPostgresWarnsThatRecordsStayInMemory(CapturedOutput output) {
        runner.withClassLoader(new FilteredClassLoader("dev.idem.postgres"))
                .withBean(DataSource.class, () -> new DelegatingDataSource(dataSource))
                .run(context -> {
                    assertThat(context.getBean(IdempotencyStore.class)).isInstanceOf(InMemoryIdempotencyStore.class);
                    assertThat(output).contains("add dev.idem:idem-postgres")
                            .contains("Idem uses the in-memory store (records are lost on restart; single instance only)");
                });
    }

    @Test
    void severalDataSourcesWithoutAPrimaryOneKeepTheInMemoryStore() {
        runner.withBean("one", DataSource.class, () -> new DelegatingDataSource(dataSource))
                .withBean("two", DataSource.class, () -> new DelegatingDataSource(dataSource))
                .run(context -> assertThat(context.getBean(IdempotencyStore.class))
                        .isInstanceOf(InMemoryIdempotencyStore.class));
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
                        "dev.idem.servlet", "dev.idem.postgres", "dev.idem.redis", "io.lettuce", "dev.idem.jackson",
                        "com.fasterxml.jackson"))
                .withPropertyValues("idem.prune.interval=1h")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Idempotency idem = context.getBean(Idempotency.class);
                    assertThat(idem.codec()).isInstanceOf(SimpleResultCodec.class);
                    assertThat(idem.execute(request("plain"), String.class, () -> "ran")).isEqualTo("ran");
                    assertThat(context.getBean(IdempotencyPruner.class).pruneNow()).isZero();
                });
    }

    @Test
    void resultsAreJsonWithBootsJackson3MapperWhenThereIsOne() {
        runner.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class)).run(context -> {
            ResultCodec codec = context.getBean(Idempotency.class).codec();
            assertThat(codec).isInstanceOf(Jackson3ResultCodec.class);
            assertThat(codec.contentType()).isEqualTo("application/json");
            Type type = new ParameterizedTypeReference<List<Item>>() { }.getType();
            byte[] json = codec.encode(List.of(new Item("a", 1)), type);
            assertThat(new String(json, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("[{\"name\":\"a\",\"count\":1}]");
            assertThat(codec.decode(json, type)).isEqualTo(List.of(new Item("a", 1)));
        });
    }

    @Test
    void withoutJackson3ButWithIdemJacksonResultsAreJsonWithJackson2() {
        runner.withClassLoader(new FilteredClassLoader("tools.jackson")).run(context ->
                assertThat(context.getBean(Idempotency.class).codec()).isInstanceOf(JacksonResultCodec.class));
    }

    @Test
    void aResultCodecOfTheApplicationWins() {
        ResultCodec mine = new SimpleResultCodec();
        runner.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class))
                .withBean(ResultCodec.class, () -> mine)
                .run(context -> assertThat(context.getBean(Idempotency.class).codec()).isSameAs(mine));
    }

    @Test
    void anIdempotencyOfTheApplicationWins() {
        runner.withBean(Idempotency.class, () -> Idempotency.builder(new InMemoryIdempotencyStore(5)).build())
                .run(context -> {
                    assertThat(context).hasSingleBean(Idempotency.class);
                    assertThat(context.getBean(Idempotency.class).store()).isNotSameAs(context.getBean(IdempotencyStore.class));
                });
    }

    @Test
    void customizersAdjustTheConfigAfterTheProperties() {
        runner.withPropertyValues("idem.ttl=1h")
                .withBean(IdempotencyConfigCustomizer.class, () -> builder -> builder.ttl(Duration.ofMinutes(5)))
                .run(context -> assertThat(context.getBean(IdempotencyConfig.class).ttl()).isEqualTo(Duration.ofMinutes(5)));
    }

    @Test
    void theFilterFollowsIncludeAndExcludePathsAndMethods() {
        new WebApplicationContextRunner().withConfiguration(StarterAutoConfigurations.ALL)
                .withPropertyValues("idem.http.include-paths=/api/**", "idem.http.exclude-paths=/api/internal/**",
                        "idem.http.methods=POST,PUT")
                .run(context -> {
                    IdempotencyFilterConfig config = context.getBean(IdempotencyFilterConfig.class);
                    assertThat(config.protects(request("POST", "/api/orders"))).isTrue();
                    assertThat(config.protects(request("PUT", "/api/orders/7"))).isTrue();
                    assertThat(config.protects(request("PATCH", "/api/orders/7"))).isFalse();
                    assertThat(config.protects(request("POST", "/api/internal/jobs"))).isFalse();
                    assertThat(config.protects(request("POST", "/login"))).isFalse();
                    MockHttpServletRequest withContextPath = request("POST", "/shop/api/orders");
                    withContextPath.setContextPath("/shop");
                    assertThat(config.protects(withContextPath)).isTrue();

                    FilterRegistrationBean<?> registration =
                            context.getBean("idempotencyFilterRegistration", FilterRegistrationBean.class);
                    assertThat(registration.getOrder()).isEqualTo(IdempotencyHttpAutoConfiguration.FILTER_ORDER).isEqualTo(-90);
                });
    }

    @Test
    void scopeAndActionResolverBeansOfTheApplicationAreUsedByTheFilter() {
        ScopeResolver tenant = request -> request.getHeader("X-Tenant");
        ActionResolver byPath = request -> "api" + request.getRequestURI();
        new WebApplicationContextRunner().withConfiguration(StarterAutoConfigurations.ALL)
                .withBean(ScopeResolver.class, () -> tenant).withBean(ActionResolver.class, () -> byPath)
                .run(context -> {
                    IdempotencyFilterConfig config = context.getBean(IdempotencyFilterConfig.class);
                    assertThat(config.scopeResolver()).isSameAs(tenant);
                    assertThat(config.actionResolver()).isSameAs(byPath);
                });
    }

    @Test
    void anonymousCallersAreRefusedByDefaultAndIdemHttpAnonymousChangesIt() {
        WebApplicationContextRunner web = new WebApplicationContextRunner()
                .withConfiguration(StarterAutoConfigurations.ALL);
        web.run(context -> assertThat(context.getBean(IdempotencyFilterConfig.class).anonymousRequests())
                .isEqualTo(IdempotencyFilterConfig.AnonymousRequests.REJECT));
        web.withPropertyValues("idem.http.anonymous=random-keys-only").run(context -> assertThat(
                context.getBean(IdempotencyFilterConfig.class).anonymousRequests())
                .isEqualTo(IdempotencyFilterConfig.AnonymousRequests.RANDOM_KEYS_ONLY));
        web.withPropertyValues("idem.http.anonymous=pass-through").run(context -> assertThat(
                context.getBean(IdempotencyFilterConfig.class).anonymousRequests())
                .isEqualTo(IdempotencyFilterConfig.AnonymousRequests.PASS_THROUGH));
    }

    @Test
    void aFilterConfigCustomizerAdjustsTheConfigWithoutLosingPathsOrResolverBeans() {
        ActionResolver byPath = request -> "api" + request.getRequestURI();
        IdempotencyFilterConfigCustomizer neverStore404 = builder -> builder.storedStatus(status -> status < 400);
        new WebApplicationContextRunner().withConfiguration(StarterAutoConfigurations.ALL)
                .withPropertyValues("idem.http.include-paths=/api/**")
                .withBean(ActionResolver.class, () -> byPath)
                .withBean(IdempotencyFilterConfigCustomizer.class, () -> neverStore404)
                .run(context -> {
                    IdempotencyFilterConfig config = context.getBean(IdempotencyFilterConfig.class);
                    assertThat(config.stores(404)).as("the customizer's rule").isFalse();
                    assertThat(config.stores(201)).isTrue();
                    assertThat(config.actionResolver()).as("the application's resolver bean").isSameAs(byPath);
                    assertThat(config.protects(post("/api/orders"))).as("idem.http.include-paths").isTrue();
                    assertThat(config.protects(post("/health"))).isFalse();
                });
    }

    private static org.springframework.mock.web.MockHttpServletRequest post(String path) {
        return new org.springframework.mock.web.MockHttpServletRequest("POST", path);
    }

    @Test
    void idemEncryptionKeysEncryptStoredResultsWithTheCurrentKey() {
        String k1 = java.util.Base64.getEncoder().encodeToString(new byte[32]);
        runner.withPropertyValues("idem.encryption.current-key=2026-12", "idem.encryption.keys.2026-12=" + k1)
                .run(context -> assertThat(context.getBean(IdempotencyConfig.class).encryption())
                        .hasValueSatisfying(e -> assertThat(e.currentKeyId()).isEqualTo("2026-12")));
        runner.run(context -> assertThat(context.getBean(IdempotencyConfig.class).encryption()).isEmpty());
        runner.withPropertyValues("idem.encryption.current-key=k1", "idem.encryption.keys.k1=not base64!")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("idem.encryption.keys.k1 is not Base64"));
        runner.withPropertyValues("idem.encryption.current-key=k1",
                        "idem.encryption.keys.k1=" + java.util.Base64.getEncoder().encodeToString(new byte[7]))
                .run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining("16, 24 or 32"));
    }

    @Test
    void idemEnabledFalseConfiguresNothing() {
        runner.withPropertyValues("idem.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(Idempotency.class);
            assertThat(context).doesNotHaveBean(IdempotencyStore.class);
            assertThat(context).doesNotHaveBean(IdempotencyPruner.class);
            assertThat(context).doesNotHaveBean(IdempotentMethodPostProcessor.class);
        });
    }

    @Test
    void propertiesReachTheEngineAndInvalidOnesFailFast() {
        runner.withPropertyValues("idem.ttl=1h", "idem.lease=10s", "idem.max-wait=500ms", "idem.max-key-length=64",
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
        new WebApplicationContextRunner().withConfiguration(StarterAutoConfigurations.ALL)
                .run(context -> assertThat(context.getBean("idempotencyFilterRegistration", FilterRegistrationBean.class)
                        .getFilter()).isInstanceOf(IdempotencyFilter.class));
        runner.run(context -> assertThat(context).doesNotHaveBean(FilterRegistrationBean.class));
        new WebApplicationContextRunner().withConfiguration(StarterAutoConfigurations.ALL)
                .withPropertyValues("idem.http.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(FilterRegistrationBean.class));
    }

    @Test
    void pruningDeletesExpiredPostgresRecordsInBatches() {
        String table = PostgresTestDatabase.uniqueTableName("idem_prune");
        TestClock clock = new TestClock(java.time.Instant.parse("2026-11-24T10:00:00Z"));
        runner.withBean(DataSource.class, () -> new DelegatingDataSource(dataSource))
                .withBean(IdempotencyConfigCustomizer.class, () -> builder -> builder.clock(clock))
                .withPropertyValues("idem.postgres.table=" + table, "idem.ttl=1h", "idem.prune.batch-size=2")
                .run(context -> {
                    Idempotency idem = context.getBean(Idempotency.class);
                    for (int i = 0; i < 5; i++) {
                        idem.execute(request("old-" + i), String.class, () -> "x");
                    }
                    clock.advance(Duration.ofHours(2));
                    idem.execute(request("fresh"), String.class, () -> "x");

                    IdempotencyPruner pruner = context.getBean(IdempotencyPruner.class);
                    assertThat(pruner.isRunning()).as("scheduled with the context").isTrue();
                    assertThat(pruner.pruneNow()).isEqualTo(5);
                    assertThat(idem.store().find(new RecordId("", "test", "fresh"), clock.instant())).isPresent();
                    assertThat(idem.store().find(new RecordId("", "test", "old-0"), clock.instant())).isEmpty();
                });
        PostgresTestDatabase.execute(dataSource, "DROP TABLE " + table);
    }

    @Test
    void theScheduledPrunerRunsOnItsOwnDaemonThread() {
        TestClock clock = new TestClock(java.time.Instant.parse("2026-11-24T10:00:00Z"));
        runner.withBean(IdempotencyConfigCustomizer.class, () -> builder -> builder.clock(clock))
                .withPropertyValues("idem.ttl=1h", "idem.prune.interval=50ms")
                .run(context -> {
                    Idempotency idem = context.getBean(Idempotency.class);
                    idem.execute(request("expiring"), String.class, () -> "x");
                    clock.advance(Duration.ofHours(2));

                    InMemoryIdempotencyStore store = context.getBean(InMemoryIdempotencyStore.class);
                    assertThat(store.size()).isEqualTo(1);

                    await().atMost(Duration.ofSeconds(5)).until(() -> store.size() == 0);
                    assertThat(Thread.getAllStackTraces().keySet()).anySatisfy(t -> {
                        assertThat(t.getName()).isEqualTo("idem-pruner");
                        assertThat(t.isDaemon()).isTrue();
                    });
                });
    }

    @Test
    void idemPruneEnabledFalseSchedulesNothing() {
        runner.withPropertyValues("idem.prune.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(IdempotencyPruner.class));
    }

    @Test
    void aCronScheduleIsAcceptedAndAnInvalidOneFailsTheStart() {
        runner.withPropertyValues("idem.prune.cron=0 */10 * * * *")
                .run(context -> assertThat(context.getBean(IdempotencyPruner.class).isRunning()).isTrue());
        runner.withPropertyValues("idem.prune.cron=every tuesday").run(context -> assertThat(context).hasFailed()
                .getFailure().hasStackTraceContaining("idem.prune.cron is not a valid cron expression"));
    }

    record Item(String name, int count) {
    }

    private static DataSource h2() {
        return new SimpleDriverDataSource(new org.h2.Driver(), "jdbc:h2:mem:idem;DB_CLOSE_DELAY=-1");
    }

    private static MockHttpServletRequest request(String method, String uri) {
        return new MockHttpServletRequest(method, uri);
    }

    private static IdempotencyRequest request(String key) {
        return IdempotencyRequest.builder("test").key(key).build();
    }
}
