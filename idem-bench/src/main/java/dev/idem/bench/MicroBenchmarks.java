package dev.idem.bench;

import dev.idem.Idempotency;
import dev.idem.IdempotencyConfig;
import dev.idem.IdempotencyRequest;
import dev.idem.SimpleResultCodec;
import dev.idem.jackson.JacksonResultCodec;
import dev.idem.memory.InMemoryIdempotencyStore;
import dev.idem.spi.Fingerprint;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH micro benchmarks of the in-JVM paths: the engine's lifecycle and replay over the in-memory store (the store
 * that keeps every record is renewed every iteration, so the measurement is not a hash map growing to millions of
 * entries; the bounded one lives for the whole trial), and the result codecs. Run by {@link BenchmarkSuite}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MicroBenchmarks {

    /** A typical small result. */
    public record Session(String sessionId, List<String> questionIds, int answered) {
    }

    /** One engine over a fresh in-memory store per iteration. */
    @State(Scope.Benchmark)
    public static class Engine {
        Idempotency idem;
        IdempotencyRequest completed;
        long next;

        @Setup(Level.Iteration)
        public void setUp() {
            idem = Idempotency.builder(new InMemoryIdempotencyStore(50_000_000)).build();
            completed = IdempotencyRequest.builder("bench.replay").scope("u").key("done")
                    .fingerprint(Fingerprint.EMPTY).build();
            idem.execute(completed, String.class, () -> "ok");
        }

        @TearDown(Level.Iteration)
        public void tearDown() {
            idem.close();
        }
    }

    /**
     * One engine over a store at its steady state: records live 50 ms and the store holds at most 200,000, so a
     * full store drops the expired ones (as a long-running service's store does once its ttl has passed) and the
     * heap holds a bounded set instead of every record of the iteration. One store serves the whole trial, as one
     * serves a long-running service: its map grows to its size during the warm-up, not again every iteration.
     */
    @State(Scope.Benchmark)
    public static class BoundedEngine {
        Idempotency idem;
        long next;

        @Setup(Level.Trial)
        public void setUp() {
            IdempotencyConfig config = IdempotencyConfig.builder().ttl(Duration.ofMillis(50))
                    .lease(Duration.ofMillis(50)).build();
            idem = Idempotency.builder(new InMemoryIdempotencyStore(200_000)).config(config).build();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            idem.close();
        }
    }

    /** The codecs and a value to encode. */
    @State(Scope.Benchmark)
    public static class Codecs {
        final JacksonResultCodec jackson = JacksonResultCodec.create();
        final SimpleResultCodec simple = new SimpleResultCodec();
        final Session session = new Session("3f1c9a", List.of("q1", "q2", "q3", "q4", "q5"), 3);
        final byte[] json = jackson.encode(session, Session.class);
    }

    @Benchmark
    public String inMemoryLifecycle(Engine engine) {
        IdempotencyRequest request = IdempotencyRequest.builder("bench.lifecycle").scope("u")
                .key("k" + engine.next++).fingerprint(Fingerprint.EMPTY).build();
        return engine.idem.execute(request, String.class, () -> "ok");
    }

    @Benchmark
    public String inMemoryLifecycleSteadyState(BoundedEngine engine) {
        IdempotencyRequest request = IdempotencyRequest.builder("bench.lifecycle").scope("u")
                .key("k" + engine.next++).fingerprint(Fingerprint.EMPTY).build();
        return engine.idem.execute(request, String.class, () -> "ok");
    }

    @Benchmark
    public String inMemoryReplay(Engine engine) {
        return engine.idem.execute(engine.completed, String.class, () -> "never");
    }

    @Benchmark
    public byte[] jacksonEncode(Codecs codecs) {
        return codecs.jackson.encode(codecs.session, Session.class);
    }

    @Benchmark
    public Object jacksonDecode(Codecs codecs) {
        return codecs.jackson.decode(codecs.json, Session.class);
    }

    @Benchmark
    public byte[] simpleEncodeString(Codecs codecs) {
        return codecs.simple.encode("checkout-3f1c9a", String.class);
    }
}
