package dev.idem.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.idem.Idempotency;
import dev.idem.IdempotencyConfig;
import dev.idem.IdempotencyRequest;
import dev.idem.memory.InMemoryIdempotencyStore;
import dev.idem.postgres.PostgresIdempotencyStore;
import dev.idem.postgres.PostgresSchema;
import dev.idem.redis.RedisIdempotencyStore;
import dev.idem.spi.Fingerprint;
import dev.idem.spi.IdempotencyStore;
import dev.idem.testing.PostgresTestDatabase;
import dev.idem.testing.RedisTestServer;
import java.io.IOException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How soon a waiting duplicate returns once the first request with its key finished: an owner holds a key for
 * 100-150 ms while 8 duplicates wait, and each duplicate's delay after the owner's {@code execute} returned is
 * recorded; 100 rounds per row after 20 warm-up rounds. Duplicates on the owner's instance (the store hands them
 * the finished record in the JVM) and on another instance (LISTEN/NOTIFY or pub/sub carrying the record), against
 * pure polling at the ADR's 50 ms. Writes a Markdown table to {@code idem-bench/results/}.
 *
 * <p>Run: {@code ./mvnw -B -q install -DskipTests && ./mvnw -B -q -pl idem-bench exec:java
 * -Didem.bench.main=dev.idem.bench.WakeUpLatencyBenchmark} ({@code -Didem.bench.duplicates=N} waiting duplicates,
 * default 8)
 */
public final class WakeUpLatencyBenchmark {

    private static final int ROUNDS = 100;
    private static final int WARM_UP_ROUNDS = 20;
    private static final int DEFAULT_DUPLICATES = 8;
    private static final int DUPLICATES = Integer.getInteger("idem.bench.duplicates", DEFAULT_DUPLICATES);
    private static final AtomicLong KEYS = new AtomicLong(System.nanoTime());

    public static void main(String[] args) throws Exception {
        List<String> rows;
        String servers;
        try (HikariDataSource pool = PostgresTestDatabase.newDataSource(24)) {
            servers = Servers.postgres(pool) + Servers.redis();
            rows = rows(pool);
        }
        write(rows, servers);
        System.exit(0);
    }

    /** The table header of {@link #rows}. */
    static final String HEADER = "| store and wake-up | samples | p50 | p99 | max |\n|---|---|---|---|---|\n";

    /** Measures every store (Redis when configured) and returns the Markdown rows. */
    static List<String> rows(HikariDataSource pool) throws Exception {
        List<String> rows = new ArrayList<>();
        String table = PostgresTestDatabase.uniqueTableName("idem_wake");
        PostgresSchema.create(pool, table);
        try (PostgresIdempotencyStore push = PostgresIdempotencyStore.builder(pool).table(table).build();
             PostgresIdempotencyStore otherInstance = PostgresIdempotencyStore.builder(pool).table(table).build();
             PostgresIdempotencyStore polling = PostgresIdempotencyStore.builder(pool).table(table)
                     .notifications(false).build()) {
            rows.add(measure("PostgreSQL, same instance (in-JVM signal with the record)", push, push));
            rows.add(measure("PostgreSQL, another instance (LISTEN/NOTIFY with the record)", push, otherInstance));
            rows.add(measure("PostgreSQL, polling every 50 ms (notifications off)", polling, polling));
            rows.add(row("PostgreSQL NOTIFY alone, no Idem: one listener, after the notifying statement returned",
                    PushChannelFloor.postgres(pool)));
        } finally {
            PostgresTestDatabase.execute(pool, "DROP TABLE IF EXISTS " + table);
        }
        if (RedisTestServer.isConfigured()) {
            String prefix = RedisTestServer.uniquePrefix();
            try (RedisIdempotencyStore push = RedisIdempotencyStore.builder(RedisTestServer.client()).keyPrefix(prefix).build();
                 RedisIdempotencyStore otherInstance = RedisIdempotencyStore.builder(RedisTestServer.client())
                         .keyPrefix(prefix).build();
                 RedisIdempotencyStore polling = RedisIdempotencyStore.builder(RedisTestServer.client()).keyPrefix(prefix)
                         .notifications(false).build()) {
                rows.add(measure("Redis, same instance (in-JVM signal with the record)", push, push));
                rows.add(measure("Redis, another instance (pub/sub with the record)", push, otherInstance));
                rows.add(measure("Redis, polling every 50 ms (notifications off)", polling, polling));
                rows.add(row("Redis PUBLISH alone, no Idem: one subscriber, after PUBLISH returned",
                        PushChannelFloor.redis()));
            } finally {
                RedisTestServer.deleteKeys(prefix);
            }
        }
        InMemoryIdempotencyStore memory = new InMemoryIdempotencyStore();
        rows.add(measure("in-memory, in-JVM signal", memory, memory));
        return rows;
    }

    /** The owner runs on {@code ownerStore}; its duplicates wait through {@code duplicateStore} (the same, or another instance). */
    private static String measure(String name, IdempotencyStore ownerStore, IdempotencyStore duplicateStore)
            throws Exception {
        List<Long> delays = Collections.synchronizedList(new ArrayList<>());
        IdempotencyConfig config = IdempotencyConfig.builder().maxWait(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50)).build();
        ExecutorService pool = Executors.newFixedThreadPool(DUPLICATES + 1);
        try (Idempotency idem = Idempotency.builder(ownerStore).config(config).build();
             Idempotency duplicates = Idempotency.builder(duplicateStore).config(config).build()) {
            for (int round = 0; round < ROUNDS + WARM_UP_ROUNDS; round++) {
                boolean warmUp = round < WARM_UP_ROUNDS;
                IdempotencyRequest request = IdempotencyRequest.builder("bench.wake").scope("bench")
                        .key("w" + KEYS.incrementAndGet()).fingerprint(Fingerprint.EMPTY).build();
                CountDownLatch ownerRunning = new CountDownLatch(1);
                AtomicLong finishedAt = new AtomicLong();
                Future<?> owner = pool.submit(() -> {
                    idem.execute(request, String.class, () -> {
                        ownerRunning.countDown();
                        // the first request's own work, of a random length so polls do not line up with it
                        Thread.sleep(100 + java.util.concurrent.ThreadLocalRandom.current().nextInt(50));
                        return "done";
                    });
                    finishedAt.set(System.nanoTime());
                    return null;
                });
                ownerRunning.await();
                List<Future<Long>> waiting = new ArrayList<>();
                for (int d = 0; d < DUPLICATES; d++) {
                    waiting.add(pool.submit(() -> {
                        duplicates.execute(request, String.class, () -> "never");
                        return System.nanoTime();
                    }));
                }
                owner.get();
                for (Future<Long> w : waiting) {
                    long returnedAt = w.get();
                    if (!warmUp) {
                        delays.add(Math.max(0, returnedAt - finishedAt.get()));
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        Collections.sort(delays);
        return row(name, delays);
    }

    private static String row(String name, List<Long> sortedDelays) {
        String row = "| " + name + " | " + sortedDelays.size() + " | " + ms(percentile(sortedDelays, 50)) + " | "
                + ms(percentile(sortedDelays, 99)) + " | " + ms(sortedDelays.get(sortedDelays.size() - 1)) + " |";
        System.out.println(row);
        return row;
    }

    private static long percentile(List<Long> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }

    private static String ms(long nanos) {
        return String.format("%.1f ms", nanos / 1e6);
    }

    private static void write(List<String> rows, String servers) throws IOException {
        StringBuilder md = new StringBuilder("# Duplicate wake-up latency, ").append(LocalDate.now()).append("\n\n")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                .append(System.getProperty("java.version")).append(", ").append(servers)
                .append(". An owner holds a key for 100-150 ms (random) while ")
                .append(DUPLICATES).append(" duplicates wait; delay = a duplicate's return minus the owner's return; ")
                .append(ROUNDS).append(" rounds after ").append(WARM_UP_ROUNDS).append(" warm-up rounds.")
                .append(" Same instance: the duplicates wait through the owner's store; another instance: through a")
                .append(" second store on the same table or prefix, with its own LISTEN connection or subscription.\n\n")
                .append(HEADER);
        rows.forEach(r -> md.append(r).append('\n'));
        ResultFiles.write(DUPLICATES == DEFAULT_DUPLICATES ? "wake-up" : "wake-up-" + DUPLICATES + "-duplicate", md);
    }
}
