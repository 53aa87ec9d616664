package dev.idem.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.idem.Idempotency;
import dev.idem.IdempotencyRequest;
import dev.idem.postgres.PostgresIdempotencyStore;
import dev.idem.postgres.PostgresSchema;
import dev.idem.spi.Fingerprint;
import dev.idem.testing.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Does the cost of a lifecycle grow with history? Fills one PostgreSQL table to 100 k, 1 M and 10 M records (a
 * tenth of them expired), and at each size measures the lifecycle rate with 4 callers while a pruner deletes
 * expired records in batches of 1000, and reports table and index sizes.
 */
final class GrowthBenchmark {

    private static final AtomicLong KEYS = new AtomicLong(System.nanoTime());

    private GrowthBenchmark() {
    }

    /** Markdown rows: size | lifecycles/s | pruned during the measurement | table | indexes. */
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
                AtomicInteger pruned = new AtomicInteger();
                AtomicBoolean stop = new AtomicBoolean();
                Thread pruner = new Thread(() -> {
                    while (!stop.get()) {
                        int deleted = idem.pruneExpired(1000);
                        pruned.addAndGet(deleted);
                        if (deleted == 0) {
                            return;
                        }
                    }
                });
                pruner.start();
                double rate = measure(idem, 4, seconds);
                stop.set(true);
                pruner.join();
                String row = "| " + String.format("%,d", size) + " | " + String.format("%,.0f", rate) + " | "
                        + String.format("%,d", pruned.get()) + " | " + relationSize(pool, "pg_table_size('" + table + "')")
                        + " | " + relationSize(pool, "pg_indexes_size('" + table + "')") + " |";
                System.out.println(row);
                rows.add(row);
            }
        } finally {
            PostgresTestDatabase.execute(pool, "DROP TABLE IF EXISTS " + table);
        }
        return rows;
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

    private static String relationSize(HikariDataSource pool, String expression) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_size_pretty(" + expression + "::bigint)")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
