package dev.idem.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.idem.Idempotency;
import dev.idem.IdempotencyRequest;
import dev.idem.postgres.PostgresIdempotencyStore;
import dev.idem.postgres.PostgresSchema;
import dev.idem.spi.Fingerprint;
import dev.idem.spring.IdempotencyPruner;
import dev.idem.testing.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Does the cost of a lifecycle grow with history? Fills one PostgreSQL table to 100 k, 1 M and 10 M records (a
 * tenth of them expired), and at each size measures the lifecycle rate with 4 callers twice: alone, then while the
 * starter's {@link IdempotencyPruner} works through that backlog in batches of 1000 (so its cost is seen apart).
 * Reports the share of completions that were heap-only (HOT) updates, and table and index sizes, also per million
 * records.
 *
 * <p>Run alone: {@code ./mvnw -B -q install -DskipTests && ./mvnw -B -q -pl idem-bench exec:java
 * -Didem.bench.main=dev.idem.bench.GrowthBenchmark} ({@code -Didem.bench.growth=100000,1000000} for a shorter
 * series); writes {@code idem-bench/results/growth-DATE.md}.
 */
public final class GrowthBenchmark {

    private static final AtomicLong KEYS = new AtomicLong(System.nanoTime());

    /** The table header of {@link #run}. */
    static final String HEADER = "| records | lifecycles/s, no pruning | with pruning | pruned meanwhile | HOT completions"
            + " | table | indexes | table + indexes per million |\n|---|---|---|---|---|---|---|---|\n";

    private GrowthBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = Integer.getInteger("idem.bench.seconds", 5);
        long[] sizes = sizes();
        try (HikariDataSource pool = PostgresTestDatabase.newDataSource(8)) {
            StringBuilder md = new StringBuilder("# Growth of the PostgreSQL table, ").append(java.time.LocalDate.now())
                    .append("\n\nMachine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                    .append(System.getProperty("java.version")).append(", ").append(Servers.postgres(pool))
                    .append(", shared_buffers ").append(string(pool, "SHOW shared_buffers")).append("; 4 callers, ")
                    .append(seconds).append(" s per measurement; history rows as the fill writes them (2-byte body).\n\n")
                    .append(HEADER);
            run(pool, seconds, sizes).forEach(r -> md.append(r).append('\n'));
            ResultFiles.write("growth", md);
        }
        System.exit(0);
    }

    /** {@code -Didem.bench.growth}, default 100 k, 1 M and 10 M. */
    static long[] sizes() {
        return java.util.Arrays.stream(System.getProperty("idem.bench.growth", "100000,1000000,10000000").split(","))
                .mapToLong(Long::parseLong).toArray();
    }

    /** Markdown rows under {@link #HEADER}. */
    static List<String> run(HikariDataSource pool, int seconds, long[] sizes) throws Exception {
        String table = PostgresTestDatabase.uniqueTableName("idem_growth");
        PostgresSchema.create(pool, table);
        List<String> rows = new ArrayList<>();
        try (PostgresIdempotencyStore store = PostgresIdempotencyStore.builder(pool).table(table).build();
             Idempotency idem = Idempotency.builder(store).build()) {
            long filled = 0;
            for (long size : sizes) {
                fill(pool, table, filled, size);
                filled = size;
                long[] updatesBefore = updates(pool, table);
                double alone = measure(idem, 4, seconds);
                AtomicInteger pruned = new AtomicInteger();
                IdempotencyPruner paced = new IdempotencyPruner(idem, Duration.ofSeconds(1), null, 1000, pruned::addAndGet);
                Thread pruner = new Thread(paced::pruneNow); // the starter's pruner, as one run meets a backlog
                pruner.start();
                double rate = measure(idem, 4, seconds);
                pruner.interrupt();
                pruner.join();
                Thread.sleep(1_500); // the server reports a backend's counts within a second of it going idle
                long[] updatesAfter = updates(pool, table);
                double hot = (double) (updatesAfter[1] - updatesBefore[1]) / Math.max(1, updatesAfter[0] - updatesBefore[0]);
                long records = Long.parseLong(string(pool, "SELECT count(*) FROM " + table));
                long bytesPerRecord = Long.parseLong(string(pool, "SELECT pg_total_relation_size('" + table + "')"))
                        / records; // N bytes a record is N MB a million
                String row = "| " + String.format("%,d", size) + " | " + String.format("%,.0f", alone) + " | "
                        + String.format("%,.0f", rate) + " | " + String.format("%,d", pruned.get()) + " | "
                        + String.format("%.1f %%", 100 * hot) + " | "
                        + string(pool, "SELECT pg_size_pretty(pg_table_size('" + table + "'))") + " | "
                        + string(pool, "SELECT pg_size_pretty(pg_indexes_size('" + table + "'))") + " | "
                        + String.format("%,d MB (%d bytes a record)", bytesPerRecord, bytesPerRecord)
                        + " |";
                System.out.println(row);
                rows.add(row);
            }
        } finally {
            PostgresTestDatabase.execute(pool, "DROP TABLE IF EXISTS " + table);
        }
        return rows;
    }

    /** Updates and HOT updates counted so far on {@code table}. */
    private static long[] updates(HikariDataSource pool, String table) throws SQLException {
        String stats = " FROM pg_stat_user_tables WHERE relid = '" + table + "'::regclass";
        return new long[] {Long.parseLong(string(pool, "SELECT n_tup_upd" + stats)),
                Long.parseLong(string(pool, "SELECT n_tup_hot_upd" + stats))};
    }

    /** Inserts completed records up to {@code to} rows, one in ten already expired, in one statement per million. */
    private static void fill(HikariDataSource pool, String table, long from, long to) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            for (long start = from; start < to; start += 1_000_000) {
                long end = Math.min(to, start + 1_000_000);
                s.execute("INSERT INTO " + table + " (scope, action, idem_key, fingerprint, status, owner_token,"
                        + " lease_until, expires_at, created_at, content_type, body)"
                        + " SELECT 'user-' || (g % 10000), 'bench.growth', 'history-' || g, repeat('0', 64), 'COMPLETED',"
                        + " 'token', now(), CASE WHEN g % 10 = 0 THEN now() - interval '1 hour' ELSE now() + interval '1 day' END,"
                        + " now(), 'text/plain', '\\x6f6b'::bytea FROM generate_series(" + start + ", " + (end - 1) + ") g");
            }
            s.execute("ANALYZE " + table);
        }
    }

    private static double measure(Idempotency idem, int threads, int seconds) throws InterruptedException {
        LongAdder done = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(new Thread(() -> {
                while (!stop.get()) {
                    IdempotencyRequest request = IdempotencyRequest.builder("bench.growth").scope("bench")
                            .key("g" + KEYS.incrementAndGet()).fingerprint(Fingerprint.EMPTY).build();
                    idem.execute(request, String.class, () -> "ok");
                    done.increment();
                }
            }));
        }
        long start = System.nanoTime();
        workers.forEach(Thread::start);
        Thread.sleep(seconds * 1000L); // the measurement window
        stop.set(true);
        for (Thread w : workers) {
            w.join();
        }
        return done.sum() / ((System.nanoTime() - start) / 1e9);
    }

    private static String string(HikariDataSource pool, String sql) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
