package dev.idem.bench;

import com.sun.net.httpserver.HttpServer;
import dev.idem.client.IdempotencyKeys;
import dev.idem.client.IdempotentCalls;
import dev.idem.client.IdempotentHttpClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

/**
 * The caller's half's own cost: the same POST to the same server through the plain JDK {@code HttpClient} (which
 * sends a random {@code Idempotency-Key} it made itself, so both put the same bytes on the wire) and through
 * {@link IdempotentHttpClient} (key, retry loop, outcome). The server is an in-process JDK HTTP server that answers
 * 201 at once, so the difference is the client's. Modes alternate round by round so the machine's noise hits both
 * alike. Run: {@code ./mvnw -B -q install -DskipTests && ./mvnw -B -q -pl idem-bench exec:java
 * -Didem.bench.main=dev.idem.bench.ClientOverheadBenchmark}.
 */
public final class ClientOverheadBenchmark {

    private static final int ROUNDS = 5;
    private static final int[] CALLERS = {1, 8};
    private static final byte[] BODY = "{\"sku\":\"book-1\",\"quantity\":1}".getBytes(StandardCharsets.UTF_8);

    private enum Mode { PLAIN, KEYED }

    /** Attempts the keyed client resent (connections the JDK's pool closed under it), and plain calls that failed. */
    private static final AtomicLong RETRIED = new AtomicLong();
    private static final AtomicLong FAILED = new AtomicLong();

    /** One mode's totals over its rounds. */
    private static final class Tally {
        long calls;
        long nanos;
        long cpuNanos;
        long failed;
        final List<long[]> latencies = new ArrayList<>();
    }

    private ClientOverheadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        try {
            measure();
        } catch (Exception | Error e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void measure() throws Exception {
        int seconds = Integer.getInteger("idem.bench.seconds", 3);
        System.setProperty("sun.net.httpserver.nodelay", "true"); // else delayed ACKs cost 40 ms a call
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "bench-server");
            t.setDaemon(true);
            return t;
        }));
        byte[] answer = "{\"order\":1}".getBytes(StandardCharsets.UTF_8);
        server.createContext("/orders", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(201, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/orders");
        HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        IdempotentHttpClient keyed = IdempotentHttpClient.wrap(plain, IdempotentCalls.builder()
                .listener(outcome -> RETRIED.addAndGet(outcome.attempts() - 1)).build());
        StringBuilder md = new StringBuilder();
        try {
            md.append("# The client's own overhead, ").append(LocalDate.now()).append("\n\n")
                    .append("Machine ").append(InetAddress.getLocalHost().getHostName()).append(", ")
                    .append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                    .append(System.getProperty("java.version")).append("; client and an in-process JDK HTTP server ")
                    .append("(201 at once) in one JVM. `POST /orders` with a 30-byte JSON body, ").append(ROUNDS)
                    .append(" interleaved rounds of ").append(seconds).append(" s per mode. plain = `HttpClient.send`")
                    .append(" with a key the caller made; keyed = `IdempotentHttpClient.send` (default settings).\n\n")
                    .append("A plain call that failed (the JDK client's pool closes a kept-alive connection now and then:")
                    .append(" `header parser received no bytes`) is counted and not retried; the keyed client resends")
                    .append(" it, with the same key, and the resends are counted.\n\n")
                    .append("| callers | mode | calls/s | ratio to plain | p50 µs | p99 µs | JVM CPU µs/call |")
                    .append(" failed (plain) or resent (keyed) |\n|---|---|---|---|---|---|---|---|\n");
            for (int callers : CALLERS) {
                for (Mode mode : Mode.values()) {
                    run(mode, plain, keyed, uri, callers, 2); // warm-up
                }
                Map<Mode, Tally> tallies = new EnumMap<>(Mode.class);
                for (int round = 0; round < ROUNDS; round++) {
                    for (Mode mode : Mode.values()) {
                        Tally tally = tallies.computeIfAbsent(mode, m -> new Tally());
                        long started = System.nanoTime();
                        long cpu = Cpu.thisJvm();
                        long failedBefore = (mode == Mode.PLAIN ? FAILED : RETRIED).get();
                        long[] latencies = run(mode, plain, keyed, uri, callers, seconds);
                        tally.cpuNanos += Cpu.thisJvm() - cpu;
                        tally.failed += (mode == Mode.PLAIN ? FAILED : RETRIED).get() - failedBefore;
                        tally.nanos += System.nanoTime() - started;
                        tally.calls += latencies.length;
                        tally.latencies.add(latencies);
                    }
                }
                double base = rate(tallies.get(Mode.PLAIN));
                for (Mode mode : Mode.values()) {
                    Tally tally = tallies.get(mode);
                    long[] all = tally.latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
                    md.append(String.format("| %d | %s | %,.0f | %.2f | %.0f | %.0f | %.1f | %d |%n", callers,
                            mode.name().toLowerCase(), rate(tally), rate(tally) / base, percentile(all, 0.50),
                            percentile(all, 0.99), tally.cpuNanos / 1e3 / tally.calls, tally.failed));
                }
            }
        } finally {
            server.stop(0);
        }
        ResultFiles.write("client-overhead", md);
    }

    /** {@code callers} threads posting for {@code seconds}; the latency of every call, in nanoseconds. */
    private static long[] run(Mode mode, HttpClient plain, IdempotentHttpClient keyed, URI uri, int callers,
                              int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<long[]>> results = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                results.add(pool.submit(() -> {
                    long[] latencies = new long[1 << 16];
                    int n = 0;
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        int status;
                        try {
                            status = mode == Mode.PLAIN ? plain.send(request(uri, true),
                                    HttpResponse.BodyHandlers.ofString()).statusCode()
                                    : keyed.send(request(uri, false), HttpResponse.BodyHandlers.ofString()).statusCode();
                        } catch (IOException e) {
                            if (mode == Mode.KEYED) {
                                throw e;
                            }
                            FAILED.incrementAndGet();
                            continue;
                        }
                        if (status != 201) {
                            throw new IOException(mode + ": status " + status);
                        }
                        if (n == latencies.length) {
                            latencies = Arrays.copyOf(latencies, n * 2);
                        }
                        latencies[n++] = System.nanoTime() - t0;
                    }
                    return Arrays.copyOf(latencies, n);
                }));
            }
            List<long[]> all = new ArrayList<>();
            for (Future<long[]> f : results) {
                all.add(f.get());
            }
            return all.stream().flatMapToLong(Arrays::stream).toArray();
        } finally {
            pool.shutdownNow();
        }
    }

    private static HttpRequest request(URI uri, boolean withOwnKey) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(java.time.Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(BODY));
        if (withOwnKey) {
            b.header(IdempotencyKeys.HEADER, IdempotencyKeys.headerValue(IdempotencyKeys.random()));
        }
        return b.build();
    }

    private static double rate(Tally tally) {
        return tally.calls / (tally.nanos / 1e9);
    }

    private static double percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e3;
    }
}
