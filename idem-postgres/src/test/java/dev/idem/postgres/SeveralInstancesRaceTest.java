package dev.idem.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.idem.Idempotency;
import dev.idem.IdempotencyConfig;
import dev.idem.IdempotencyRequest;
import dev.idem.spi.Fingerprint;
import dev.idem.tck.Races;
import dev.idem.testing.PostgresTestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Three independent "instances" (each its own connection pool, LISTEN connection and engine) share one table
 * and race on the same keys: every key runs exactly once, and every duplicate, wherever it lands, gets the
 * identical result.
 */
class SeveralInstancesRaceTest {

    @Test
    void duplicatesSpreadOverThreeInstancesRunExactlyOncePerKey() throws Exception {
        String table = PostgresFixture.newTable();
        List<HikariDataSource> pools = new ArrayList<>();
        List<PostgresIdempotencyStore> stores = new ArrayList<>();
        List<Idempotency> instances = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                HikariDataSource pool = PostgresTestDatabase.newDataSource(10);
                PostgresIdempotencyStore store = PostgresIdempotencyStore.builder(pool).table(table).build();
                pools.add(pool);
                stores.add(store);
                instances.add(Idempotency.builder(store)
                        .config(IdempotencyConfig.builder().maxWait(Duration.ofSeconds(30)).build()).build());
            }
            int keys = 300;
            int duplicates = 6;
            record Call(IdempotencyRequest request, Idempotency instance) {
            }
            Random random = new Random(2026);
            List<Call> calls = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                IdempotencyRequest request = IdempotencyRequest.builder("billing.checkout").scope("user-" + (k % 13))
                        .key(UUID.randomUUID().toString())
                        .fingerprint(Fingerprint.of(("plan=" + k).getBytes(StandardCharsets.UTF_8))).build();
                for (int d = 0; d < duplicates; d++) {
                    calls.add(new Call(request, instances.get(random.nextInt(instances.size()))));
                }
            }
            Collections.shuffle(calls, random);
            Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
            Map<String, Set<String>> results = new ConcurrentHashMap<>();

            Races.forEach(24, calls, call -> {
                String key = call.request().key().orElseThrow();
                String value = call.instance().execute(call.request(), String.class, () -> {
                    executions.computeIfAbsent(key, x -> new AtomicInteger()).incrementAndGet();
                    return "checkout-" + UUID.randomUUID();
                });
                results.computeIfAbsent(key, x -> ConcurrentHashMap.newKeySet()).add(value);
            });

            assertThat(executions).hasSize(keys);
            assertThat(executions.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
            assertThat(results.values()).allSatisfy(set -> assertThat(set).hasSize(1));
            assertThat(PostgresFixture.count("SELECT count(*) FROM " + table + " WHERE status = 'COMPLETED'"))
                    .isEqualTo(keys);
        } finally {
            instances.forEach(Idempotency::close);
            stores.forEach(PostgresIdempotencyStore::close);
            pools.forEach(HikariDataSource::close);
            PostgresFixture.drop(table);
        }
    }
}
