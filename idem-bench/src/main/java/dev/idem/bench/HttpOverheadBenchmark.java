package dev.idem.bench;

import dev.idem.example.practice.PracticeApplication;
import dev.idem.testing.PostgresTestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Overhead per protected HTTP request in the reference app: two instances of the app in this JVM on the test
 * PostgreSQL, one with the route two-phase and one with it transactional, one route ({@code POST
 * /api/practice-sessions}: an entitlement read, a question read and an insert), called four ways in interleaved
 * rounds so the machine's noise hits all alike: unprotected (no key; the app runs with missing-key policy
 * pass-through, so Idem's filter passes the request on without touching the store), two-phase (a new key each time:
 * claim, action, completion, each committing), transactional (a new key each time: claim, action and completion in
 * one transaction) and replayed (a key already completed). Reports requests/s, latency percentiles and the ratios to
 * unprotected. Writes {@code http-overhead-DATE.md} to {@code idem-bench/results/}.
 *
 * <p>Run: {@code ./mvnw -B -q install -DskipTests && ./mvnw -B -q -pl idem-bench exec:java
 * -Didem.bench.main=dev.idem.bench.HttpOverheadBenchmark} (about 2.5 minutes; {@code -Didem.bench.seconds=3} per
 * round).
 */
public final class HttpOverheadBenchmark {

    private static final int ROUNDS = Integer.getInteger("idem.bench.rounds", 3);
    private static final int[] CALLERS = Arrays.stream(System.getProperty("idem.bench.callers", "4,16")
            .split(",")).mapToInt(Integer::parseInt).toArray();
    private static final String BODY = "{\"questionCount\":3}";
    private static final AtomicLong KEYS = new AtomicLong(System.nanoTime());

    enum Mode {
        UNPROTECTED, TWO_PHASE, TRANSACTIONAL, REPLAYED
    }

    /** Completed requests, their latencies (nanoseconds) and the CPU they cost, of one mode, summed over rounds. */
    private static final class Tally {
        long requests;
        long nanos;
        long jvmCpuNanos;
        long pgCpuNanos;
        final List<long[]> latencies = new ArrayList<>();
    }

    private HttpOverheadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = Integer.getInteger("idem.bench.seconds", 3);
        // the harness logs through slf4j-simple; Spring Boot's own logging system would insist on Logback
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        // the client drops idle connections before Tomcat does (20 s), so no request goes out on a closing one
        System.setProperty("jdk.httpclient.keepalive.timeout", "10");
        ConfigurableApplicationContext app = start("--idem.http.transactional-paths=");
        ConfigurableApplicationContext txApp = start("--idem.http.transactional-paths=/api/practice-sessions");
        StringBuilder md = new StringBuilder();
        try {
            URI uri = route(app);
            URI txUri = route(txApp);
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            md.append("# HTTP overhead of Idem in the reference app, ").append(LocalDate.now()).append("\n\n")
                    .append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                    .append(System.getProperty("java.version")).append(", PostgreSQL ").append(serverVersion(app))
                    .append(PostgresTestDatabase.isEmbedded() ? " (embedded)" : "")
                    .append("; app, load generator and database on one machine. `POST /api/practice-sessions`, ")
                    .append(ROUNDS).append(" interleaved rounds of ").append(seconds).append(" s per mode.\n\n")
                    .append("CPU per request: this JVM (app and load generator) and every PostgreSQL process, from ")
                    .append("`/proc`, over the mode's rounds.\n\n")
                    .append("| callers | mode | requests/s | ratio to unprotected | p50 ms | p99 ms | JVM CPU ms/req |")
                    .append(" PostgreSQL CPU ms/req |\n|---|---|---|---|---|---|---|---|\n");
            String replayKey = "bench-replay-" + KEYS.incrementAndGet();
            send(client, uri, replayKey); // the key every replay round asks for
            for (int callers : CALLERS) {
                for (Mode mode : modes()) { // JIT and pools warm for every mode
                    run(client, mode == Mode.TRANSACTIONAL ? txUri : uri, callers, 2, keyOf(mode, replayKey));
                }
                Map<Mode, Tally> tallies = new EnumMap<>(Mode.class);
                for (int round = 0; round < ROUNDS; round++) {
                    for (Mode mode : modes()) {
                        Tally tally = tallies.computeIfAbsent(mode, m -> new Tally());
                        long started = System.nanoTime();
                        long jvmCpu = Cpu.thisJvm();
                        long pgCpu = Cpu.postgres();
                        long[] latencies = run(client, mode == Mode.TRANSACTIONAL ? txUri : uri, callers, seconds,
                                keyOf(mode, replayKey));
                        tally.jvmCpuNanos += Cpu.thisJvm() - jvmCpu;
                        tally.pgCpuNanos += Cpu.postgres() - pgCpu;
                        tally.nanos += System.nanoTime() - started;
                        tally.requests += latencies.length;
                        tally.latencies.add(latencies);
                    }
                }
                Tally unprotected = tallies.get(Mode.UNPROTECTED);
                double base = unprotected == null ? Double.NaN : rate(unprotected);
                for (Mode mode : modes()) {
                    Tally tally = tallies.get(mode);
                    long[] all = tally.latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
                    md.append(String.format("| %d | %s | %,.0f | %.2f | %.1f | %.1f | %.2f | %.2f |%n", callers,
                            mode.name().toLowerCase().replace('_', '-'), rate(tally), rate(tally) / base,
                            percentile(all, 0.50), percentile(all, 0.99), tally.jvmCpuNanos / 1e6 / tally.requests,
                            tally.pgCpuNanos / 1e6 / tally.requests));
                }
            }
        } finally {
            app.close();
            txApp.close();
        }
        ResultFiles.write("http-overhead", md);
        System.exit(0);
    }

    /** The modes to run: all, or those of {@code -Didem.bench.modes=transactional,...} (to profile one alone). */
    private static List<Mode> modes() {
        String chosen = System.getProperty("idem.bench.modes", "");
        return Arrays.stream(Mode.values()).filter(m -> chosen.isEmpty()
                || chosen.contains(m.name().toLowerCase().replace('_', '-'))).toList();
    }

    /** The key a mode sends: none, a new one each time ({@code ""}), or the completed one. */
    private static String keyOf(Mode mode, String replayKey) {
        return mode == Mode.REPLAYED ? replayKey : mode == Mode.UNPROTECTED ? null : "";
    }

    /** One instance of the reference app on a free port, with {@code mode} deciding how the route commits. */
    private static ConfigurableApplicationContext start(String mode) {
        return SpringApplication.run(PracticeApplication.class,
                "--server.port=0", "--spring.datasource.url=" + PostgresTestDatabase.jdbcUrl(),
                "--spring.datasource.hikari.maximum-pool-size=24", "--idem.missing-key-policy=pass-through",
                "--idem.prune.enabled=false", "--management.endpoints.web.exposure.include=health", mode);
    }

    private static URI route(ConfigurableApplicationContext app) {
        int port = ((WebServerApplicationContext) app).getWebServer().getPort();
        return URI.create("http://127.0.0.1:" + port + "/api/practice-sessions");
    }

    /**
     * {@code callers} threads posting for {@code seconds}: without a key ({@code key == null}), with a new key each
     * time ({@code ""}), or always with {@code key}. Returns each request's latency.
     */
    private static long[] run(HttpClient client, URI uri, int callers, int seconds, String key) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        try {
            List<Future<long[]>> futures = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                futures.add(pool.submit(() -> {
                    long[] latencies = new long[1024];
                    int n = 0;
                    while (System.nanoTime() < deadline) {
                        long start = System.nanoTime();
                        send(client, uri, key == null ? null : key.isEmpty() ? "bench-" + KEYS.incrementAndGet() : key);
                        if (n == latencies.length) {
                            latencies = Arrays.copyOf(latencies, n * 2);
                        }
                        latencies[n++] = System.nanoTime() - start;
                    }
                    return Arrays.copyOf(latencies, n);
                }));
            }
            List<long[]> all = new ArrayList<>();
            for (Future<long[]> future : futures) {
                all.add(future.get());
            }
            return all.stream().flatMapToLong(Arrays::stream).toArray();
        } finally {
            pool.shutdownNow();
        }
    }

    private static void send(HttpClient client, URI uri, String key) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(BODY))
                .header("Content-Type", "application/json").header("Authorization", "Bearer demo-alice");
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("POST answered " + response.statusCode());
        }
    }

    private static String serverVersion(ConfigurableApplicationContext app) throws SQLException {
        return Servers.postgresVersion(app.getBean(DataSource.class));
    }

    private static double rate(Tally tally) {
        return tally.requests / (tally.nanos / 1e9);
    }

    private static double percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
    }
}
