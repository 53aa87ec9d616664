package dev.idem.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.idem.Idempotency;
import dev.idem.caffeine.NearCacheIdempotencyStore;
import dev.idem.IdempotencyRequest;
import dev.idem.memory.InMemoryIdempotencyStore;
import dev.idem.postgres.PostgresIdempotencyStore;
import dev.idem.postgres.PostgresSchema;
import dev.idem.postgres.TransactionalIdempotency;
import dev.idem.redis.RedisIdempotencyStore;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.Fingerprint;
import dev.idem.spi.RecordId;
import dev.idem.testing.PostgresTestDatabase;
import dev.idem.testing.RedisTestServer;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Measures, in one run, Idem's lifecycle (claim, empty action, complete) and replay rates on PostgreSQL against
 * the raw SQL they need issued by hand on the same pool, plus transactional mode against the raw two-commit
 * lifecycle, the in-memory lifecycle rate, and (when {@code IDEM_TEST_REDIS_URL} is set) the Redis lifecycle
 * against two raw Redis round trips. Writes a Markdown table to {@code idem-bench/results/}.
 *
 * <p>Run: {@code ./mvnw -B -q install -DskipTests && ./mvnw -B -q -pl idem-bench exec:java}
 * ({@code -Didem.bench.seconds=N} per measurement, default 5; {@code -Didem.bench.scenarios=lifecycle,replay,
 * order,transactional,memory,redis} to choose; {@code -Didem.bench.commit-delay-us=N} to slow every commit; PostgreSQL
 * from {@code IDEM_TEST_PG_URL} or embedded, Redis from {@code IDEM_TEST_REDIS_URL}).
 */
public final class LifecycleBenchmark {

    private static final byte[] RESULT = "ok".getBytes(StandardCharsets.UTF_8);
    private static final Integer COMMIT_DELAY = Integer.getInteger("idem.bench.commit-delay-us");

    private final HikariDataSource pool;
    private final String table;
    private final int seconds;
    private final List<String> rows = new ArrayList<>();

    private LifecycleBenchmark(HikariDataSource pool, String table, int seconds) {
        this.pool = pool;
        this.table = table;
        this.seconds = seconds;
    }

    public static void main(String[] args) throws Exception {
        int seconds = Integer.getInteger("idem.bench.seconds", 5);
        try (HikariDataSource pool = pool()) {
            String table = PostgresTestDatabase.uniqueTableName("idem_bench");
            PostgresSchema.create(pool, table);
            try {
                LifecycleBenchmark benchmark = new LifecycleBenchmark(pool, table, seconds);
                benchmark.run();
                benchmark.write();
            } finally {
                PostgresTestDatabase.execute(pool, "DROP TABLE IF EXISTS " + table);
            }
        }
        System.exit(0);
    }

    private void run() throws Exception {
        try (PostgresIdempotencyStore notifying = PostgresIdempotencyStore.builder(pool).table(table).build();
             PostgresIdempotencyStore silent = PostgresIdempotencyStore.builder(pool).table(table).notifications(false).build();
             Idempotency idem = Idempotency.builder(notifying).build();
             Idempotency idemSilent = Idempotency.builder(silent).build();
             Idempotency memory = Idempotency.builder(new InMemoryIdempotencyStore(10_000_000)).build()) {
            for (int threads : selected("lifecycle") ? new int[] {1, 4, 16} : new int[0]) {
                row("lifecycle, PostgreSQL (NOTIFY on, the default)", threads, compare(threads,
                        () -> idem.execute(newRequest(), String.class, () -> "ok"), this::rawLifecycle));
                row("lifecycle, PostgreSQL (NOTIFY off)", threads, compare(threads,
                        () -> idemSilent.execute(newRequest(), String.class, () -> "ok"), this::rawLifecycle));
            }
            List<IdempotencyRequest> completed = new ArrayList<>();
            for (int i = 0; i < (selected("replay") || selected("order") ? 20_000 : 0); i++) {
                IdempotencyRequest request = newRequest();
                idemSilent.execute(request, String.class, () -> "ok");
                completed.add(request);
            }
            for (int threads : selected("replay") ? new int[] {1, 4} : new int[0]) {
                row("replay of a completed key, PostgreSQL", threads, compare(threads,
                        () -> idemSilent.execute(pick(completed), String.class, () -> "never"),
                        () -> rawSelect(pick(completed))));
            }
            if (selected("replay")) { // every key cached after one pass: the warm case, no round trip
                NearCacheIdempotencyStore cache = NearCacheIdempotencyStore.wrap(silent);
                Idempotency cached = Idempotency.builder(cache).build();
                completed.forEach(request -> cached.execute(request, String.class, () -> "never"));
                for (int threads : new int[] {1, 4}) {
                    row("replay of a completed key, PostgreSQL behind the near cache (idem-caffeine), warm", threads,
                            compare(threads, () -> cached.execute(pick(completed), String.class, () -> "never"),
                                    () -> rawSelect(pick(completed))));
                }
            }
            if (selected("order")) {
                claimOrders(silent, completed);
            }
            TransactionalIdempotency tx = new TransactionalIdempotency(idemSilent, silent);
            for (int threads : selected("transactional") ? new int[] {1, 4} : new int[0]) {
                row("transactional mode (one commit) vs raw two-commit lifecycle", threads, compare(threads,
                        () -> tx.execute(newRequest(), String.class, c -> "ok"), this::rawLifecycle));
            }
            if (selected("memory")) {
                double inMemory = measure(1, () -> memory.execute(newRequest(), String.class, () -> "ok"));
                rows.add("| lifecycle, in-memory store | 1 | " + format(inMemory) + " | - | - |");
            }
        }
        if (!selected("redis")) {
            return;
        }
        if (RedisTestServer.isConfigured()) {
            redis();
        } else {
            rows.add("| Redis | - | not measured: " + RedisTestServer.URL_VARIABLE + " is not set | | |");
        }
    }

    /**
     * A pool of 24. With {@code -Didem.bench.commit-delay-us=N} every session waits N microseconds before each WAL
     * flush ({@code commit_delay}, with {@code commit_siblings = 0} so it applies to every commit): a server whose
     * commits are slow, as on cloud disks, without another server.
     */
    private static HikariDataSource pool() {
        if (COMMIT_DELAY == null) {
            return PostgresTestDatabase.newDataSource(24);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(PostgresTestDatabase.jdbcUrl());
        config.setMaximumPoolSize(24);
        config.addDataSourceProperty("options", "-c commit_delay=" + COMMIT_DELAY + " -c commit_siblings=0");
        return new HikariDataSource(config);
    }

    /**
     * The two orders a claim could take on a cold key (no near cache): the store's one statement (a data-modifying
     * CTE that reads, and inserts only when nothing was there), or a plain SELECT by key first and the CTE only when
     * the SELECT found nothing. Measured on the claim step alone, for new keys and for replays. The store learns the
     * order from what its claims find (one CTE while most claims are new keys, reading first during a run of
     * replays), so its replay claims here read first: that row shows what the switch leaves of the gap.
     */
    private void claimOrders(PostgresIdempotencyStore store, List<IdempotencyRequest> completed) throws Exception {
        for (int threads : new int[] {1, 4}) {
            row("claim order, new key: SELECT first then the store's claim / the store's claim (one CTE for new keys)",
                    threads, compare(threads, () -> {
                        IdempotencyRequest request = newRequest();
                        if (!rawSelect(request)) {
                            store.claim(claimOf(request));
                        }
                    }, () -> store.claim(claimOf(newRequest()))));
            row("claim order, replay: a raw SELECT / the store's claim (which reads first after a run of replays)",
                    threads, compare(threads, () -> rawSelect(pick(completed)),
                            () -> store.claim(claimOf(pick(completed)))));
        }
    }

    private static ClaimRequest claimOf(IdempotencyRequest request) {
        Instant now = Instant.now();
        return new ClaimRequest(new RecordId(request.scope(), request.action(),
                request.key().orElseThrow()), request.fingerprint(), now, now.plusSeconds(30), now.plusSeconds(86_400));
    }

    /** Runs every scenario on its own table of {@code pool} and returns the Markdown rows. */
    static List<String> rows(HikariDataSource pool, int seconds) throws Exception {
        String table = PostgresTestDatabase.uniqueTableName("idem_bench");
        PostgresSchema.create(pool, table);
        try {
            LifecycleBenchmark benchmark = new LifecycleBenchmark(pool, table, seconds);
            benchmark.run();
            return benchmark.rows;
        } finally {
            PostgresTestDatabase.execute(pool, "DROP TABLE IF EXISTS " + table);
        }
    }

    /** The table header of {@link #rows}. */
    static final String HEADER = "| scenario | threads | Idem ops/s | raw ops/s | Idem / raw |\n|---|---|---|---|---|\n";

    /**
     * Redis lifecycle against its raw baseline: the same two round trips by hand (HSETNX of the claim, then an
     * HSET of the result), without Idem's Lua checks, fencing or expiry.
     */
    private void redis() throws Exception {
        String prefix = RedisTestServer.uniquePrefix();
        try (RedisIdempotencyStore store = RedisIdempotencyStore.builder(RedisTestServer.client()).keyPrefix(prefix).build();
             Idempotency idem = Idempotency.builder(store).build()) {
            RedisCommands<String, String> raw = RedisTestServer.commands();
            for (int threads : new int[] {1, 4, 16}) {
                row("lifecycle, Redis (pub/sub on)", threads, compare(threads,
                        () -> idem.execute(newRequest(), String.class, () -> "ok"), () -> {
                            String key = prefix + "raw:" + KEYS.incrementAndGet();
                            raw.hsetnx(key, "owner", "o");
                            raw.hset(key, "status", "COMPLETED");
                        }));
            }
            List<IdempotencyRequest> completed = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                IdempotencyRequest request = newRequest();
                idem.execute(request, String.class, () -> "ok");
                completed.add(request);
            }
            for (int threads : new int[] {1, 4}) {
                row("replay of a completed key, Redis (raw: HMGET of the record)", threads, compare(threads,
                        () -> idem.execute(pick(completed), String.class, () -> "never"),
                        () -> raw.hmget(store.keyOf(pick(completed).key().map(
                                key -> new RecordId("bench-user", "bench.action", key)).orElseThrow()),
                        "fingerprint", "status", "lease_until", "expires_at", "content_type", "body")));
            }
        } finally {
            RedisTestServer.deleteKeys(prefix);
        }
    }

    /** Keys from a counter: generating random keys (SecureRandom) would be measured along with Idem. */
    private static final AtomicLong KEYS = new AtomicLong(System.nanoTime());

    /** Whether {@code -Didem.bench.scenarios} (default all: lifecycle,replay,order,transactional,memory,redis) names it. */
    private static boolean selected(String scenario) {
        String chosen = System.getProperty("idem.bench.scenarios", "lifecycle,replay,order,transactional,memory,redis");
        return List.of(chosen.split(",")).contains(scenario);
    }

    private static IdempotencyRequest newRequest() {
        return IdempotencyRequest.builder("bench.action").scope("bench-user").key("k" + KEYS.incrementAndGet())
                .fingerprint(Fingerprint.EMPTY).build();
    }

    private void rawLifecycle() throws SQLException {
        String key = "k" + KEYS.incrementAndGet();
        String token = "t" + key;
        Instant now = Instant.now();
        try (Connection c = pool.getConnection()) {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " (scope, action, idem_key,"
                    + " fingerprint, status, owner_token, lease_until, expires_at, created_at)"
                    + " VALUES (?, ?, ?, ?, 'IN_PROGRESS', ?, ?, ?, ?) ON CONFLICT (scope, action, idem_key) DO NOTHING RETURNING 1")) {
                insert.setString(1, "bench-user");
                insert.setString(2, "bench.action");
                insert.setString(3, key);
                insert.setString(4, Fingerprint.EMPTY.hex());
                insert.setString(5, token);
                insert.setObject(6, OffsetDateTime.ofInstant(now.plusSeconds(30), ZoneOffset.UTC));
                insert.setObject(7, OffsetDateTime.ofInstant(now.plusSeconds(86_400), ZoneOffset.UTC));
                insert.setObject(8, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                try (ResultSet rs = insert.executeQuery()) {
                    rs.next();
                }
            }
            try (PreparedStatement update = c.prepareStatement("UPDATE " + table + " SET status = 'COMPLETED',"
                    + " content_type = ?, body = ? WHERE scope = ? AND action = ? AND idem_key = ? AND owner_token = ?"
                    + " AND status = 'IN_PROGRESS'")) {
                update.setString(1, "text/plain");
                update.setBytes(2, RESULT);
                update.setString(3, "bench-user");
                update.setString(4, "bench.action");
                update.setString(5, key);
                update.setString(6, token);
                update.executeUpdate();
            }
        }
    }

    /** Whether the record exists: the raw primary-key SELECT. */
    private boolean rawSelect(IdempotencyRequest request) throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT fingerprint, status, lease_until, expires_at,"
                     + " content_type, body FROM " + table + " WHERE scope = ? AND action = ? AND idem_key = ?")) {
            select.setString(1, request.scope());
            select.setString(2, request.action());
            select.setString(3, request.key().orElseThrow());
            try (ResultSet rs = select.executeQuery()) {
                return rs.next();
            }
        }
    }

    @FunctionalInterface
    private interface Operation {
        void run() throws Exception;
    }

    /** Operations per second of {@code threads} threads looping over {@code op}, after a warm-up of 2 s. */
    private double measure(int threads, Operation op) throws InterruptedException {
        runFor(threads, op, 2_000);
        return runFor(threads, op, seconds * 1_000L);
    }

    /**
     * The rates of {@code idem} and {@code raw} with {@code threads} threads, in interleaved rounds (raw, Idem, raw,
     * Idem, ...; {@value #ROUNDS} of each, {@code seconds} in all per side, after a 2 s warm-up of each), so a drift
     * of this noisy machine lands on both sides of the ratio.
     */
    private Rates compare(int threads, Operation idem, Operation raw) throws InterruptedException {
        runFor(threads, raw, 2_000);
        runFor(threads, idem, 2_000);
        long round = seconds * 1_000L / ROUNDS;
        double rawSum = 0;
        double idemSum = 0;
        for (int r = 0; r < ROUNDS; r++) {
            rawSum += runFor(threads, raw, round);
            idemSum += runFor(threads, idem, round);
        }
        return new Rates(idemSum / ROUNDS, rawSum / ROUNDS);
    }

    private static final int ROUNDS = 3;

    /** Idem's and the raw baseline's operations per second, measured together. */
    private record Rates(double idem, double raw) {
    }

    private static IdempotencyRequest pick(List<IdempotencyRequest> requests) {
        return requests.get(ThreadLocalRandom.current().nextInt(requests.size()));
    }

    private static double runFor(int threads, Operation op, long millis) throws InterruptedException {
        LongAdder done = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        op.run();
                        done.increment();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            workers.add(worker);
        }
        long start = System.nanoTime();
        workers.forEach(Thread::start);
        Thread.sleep(millis); // the measurement window itself
        stop.set(true);
        for (Thread worker : workers) {
            worker.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return done.sum() / elapsed;
    }

    private void row(String scenario, int threads, Rates rates) {
        row(scenario, threads, rates.idem(), rates.raw());
    }

    private void row(String scenario, int threads, double idem, double raw) {
        String line = "| " + scenario + " | " + threads + " | " + format(idem) + " | " + format(raw) + " | "
                + String.format("%.2f", idem / raw) + " |";
        rows.add(line);
        System.out.println(line);
    }

    private static String format(double opsPerSecond) {
        return String.format("%,.0f", opsPerSecond);
    }

    private void write() throws IOException, SQLException {
        StringBuilder md = new StringBuilder();
        md.append("# Idem lifecycle benchmark, ").append(LocalDate.now()).append("\n\n")
                .append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                .append(System.getProperty("java.version")).append(", ").append(Servers.postgres(pool))
                .append(", ").append(seconds).append(" s per side and measurement, in ").append(ROUNDS)
                .append(" rounds interleaved with the raw baseline after a 2 s warm-up of each, pool of 24")
                .append(COMMIT_DELAY == null ? "" : ", every commit slowed by commit_delay = " + COMMIT_DELAY + " µs")
                .append(selected("redis") ? Servers.redis() : "")
                .append(".\n\n")
                .append("Raw = the same statements by hand on the same pool: INSERT ... ON CONFLICT DO NOTHING then a ")
                .append("fenced UPDATE (lifecycle), or a SELECT by primary key (replay).\n\n")
                .append(HEADER);
        rows.forEach(r -> md.append(r).append('\n'));
        String scenarios = System.getProperty("idem.bench.scenarios");
        ResultFiles.write("lifecycle" + (scenarios == null ? "" : "-" + scenarios.replace(',', '-'))
                + (COMMIT_DELAY == null ? "" : "-commit-delay-" + COMMIT_DELAY + "us"), md);
    }
}
