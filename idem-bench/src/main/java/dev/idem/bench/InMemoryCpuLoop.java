package dev.idem.bench;

import dev.idem.Idempotency;
import dev.idem.IdempotencyConfig;
import dev.idem.IdempotencyRequest;
import dev.idem.memory.InMemoryIdempotencyStore;
import dev.idem.spi.Fingerprint;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * The in-memory lifecycle of {@link MicroBenchmarks} in a plain loop, reporting the process's CPU time per
 * lifecycle (every thread's: the GC's and the JIT's included) next to the rate. On this noisy 2-core machine JMH's
 * rate varies by a third between runs of the same code; CPU time per lifecycle, read over the same rounds, varies
 * far less, so {@code idem-bench/ab-in-memory.sh} runs this against two builds of idem-core in turn. Uses only
 * idem-core's public API, so it compiles against older versions too.
 *
 * <p>Arguments: {@code steady} (records live 50 ms, at most 200,000 held) or {@code all} (every record kept), then
 * optionally the seconds per round (default 2). Three warm-up rounds, then five measured.
 */
public final class InMemoryCpuLoop {

    private static final int WARM_UP_ROUNDS = 3;
    private static final int MEASURED_ROUNDS = 5;

    private InMemoryCpuLoop() {
    }

    public static void main(String[] args) {
        if (args.length < 1 || !(args[0].equals("steady") || args[0].equals("all"))) {
            throw new IllegalArgumentException("usage: InMemoryCpuLoop steady|all [seconds per round]");
        }
        boolean steady = args[0].equals("steady");
        long roundNanos = Duration.ofSeconds(args.length > 1 ? Integer.parseInt(args[1]) : 2).toNanos();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long measured = 0;
        long cpuAtStart = 0;
        long wallAtStart = 0;
        long sink = 0;
        for (int round = 0; round < WARM_UP_ROUNDS + MEASURED_ROUNDS; round++) {
            if (round == WARM_UP_ROUNDS) {
                cpuAtStart = os.getProcessCpuTime();
                wallAtStart = System.nanoTime();
            }
            try (Idempotency idem = engine(steady)) {
                long n = 0;
                long end = System.nanoTime() + roundNanos;
                while ((n & 1023) != 0 || System.nanoTime() < end) {
                    IdempotencyRequest request = IdempotencyRequest.builder("bench.lifecycle").scope("u")
                            .key("k" + n++).fingerprint(Fingerprint.EMPTY).build();
                    sink += idem.execute(request, String.class, () -> "ok").length();
                }
                if (round >= WARM_UP_ROUNDS) {
                    measured += n;
                }
            }
        }
        double cpuNanos = os.getProcessCpuTime() - cpuAtStart;
        double wallNanos = System.nanoTime() - wallAtStart;
        System.out.printf("%s: %,d lifecycles in %d measured rounds, %.2f M/s, %.0f ns of CPU a lifecycle (sink %d)%n",
                args[0], measured, MEASURED_ROUNDS, measured / wallNanos * 1e3, cpuNanos / measured, sink);
    }

    private static Idempotency engine(boolean steady) {
        if (!steady) {
            return Idempotency.builder(new InMemoryIdempotencyStore(50_000_000)).build();
        }
        IdempotencyConfig config = IdempotencyConfig.builder().ttl(Duration.ofMillis(50))
                .lease(Duration.ofMillis(50)).build();
        return Idempotency.builder(new InMemoryIdempotencyStore(200_000)).config(config).build();
    }
}
