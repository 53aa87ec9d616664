package dev.idem.bench;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The in-JVM paths of {@link MicroBenchmarks} measured the way JMH means them to be: in a forked JVM (one fork,
 * so the harness's own JIT profile does not leak in), one thread, with JMH's GC profiler giving the bytes
 * allocated per operation. Writes {@code idem-bench/results/in-memory-jmh-DATE.md}.
 *
 * <p>Run (about 2 minutes): {@code ./mvnw -B -q install -DskipTests && ./mvnw -B -q -pl idem-bench exec:java
 * -Didem.bench.main=dev.idem.bench.InMemoryJmh} ({@code -Didem.bench.jmh=regex} to choose benchmarks,
 * {@code -Didem.bench.profiler=stack} to add JMH's stack sampling).
 */
public final class InMemoryJmh {

    private InMemoryJmh() {
    }

    /** The table header of {@link #rows}. */
    static final String HEADER = "| benchmark | ops/s | error (99.9 %) | bytes allocated / op | GC count |\n"
            + "|---|---|---|---|---|\n";

    public static void main(String[] args) throws Exception {
        String include = System.getProperty("idem.bench.jmh", MicroBenchmarks.class.getName() + ".inMemory.*");
        StringBuilder md = new StringBuilder("# In-memory engine, JMH forked, ").append(LocalDate.now()).append("\n\n")
                .append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                .append(System.getProperty("java.version")).append(" (").append(System.getProperty("java.vm.name"))
                .append("); ").append(SETTINGS).append(" No database or Redis involved.\n\n").append(HEADER);
        rows(include).forEach(row -> md.append(row).append('\n'));
        ResultFiles.write("in-memory-jmh", md);
        System.exit(0);
    }

    /** How {@link #rows} runs JMH, for result files. */
    static final String SETTINGS = "1 fork (-Xms1g -Xmx1g), 1 thread, 3 x 2 s warm-up, 5 x 2 s measured, GC profiler.";

    /** Runs the JMH benchmarks matching {@code include} in one forked JVM; Markdown rows under {@link #HEADER}. */
    static List<String> rows(String include) throws Exception {
        exposeClassPath();
        OptionsBuilder builder = new OptionsBuilder();
        String profiler = System.getProperty("idem.bench.profiler");
        if (profiler != null) {
            builder.addProfiler(profiler);
        }
        Options options = builder.include(include).forks(1).threads(1)
                .warmupIterations(3).warmupTime(TimeValue.seconds(2))
                .measurementIterations(5).measurementTime(TimeValue.seconds(2))
                .jvmArgsAppend("-Xms1g", "-Xmx1g")
                .addProfiler(GCProfiler.class).build();
        Collection<RunResult> results = new Runner(options).run();
        List<String> rows = new ArrayList<>();
        for (RunResult result : results) {
            String name = result.getParams().getBenchmark().replaceAll(".*\\.", "");
            Result<?> primary = result.getPrimaryResult();
            rows.add("| " + name + " | " + String.format("%,.0f", primary.getScore()) + " | ± "
                    + String.format("%,.0f", primary.getScoreError()) + " | "
                    + secondary(result, "gc.alloc.rate.norm", "%,.0f") + " | " + secondary(result, "gc.count", "%,.0f")
                    + " |");
        }
        return rows;
    }

    private static String secondary(RunResult result, String name, String format) {
        Result<?> r = result.getSecondaryResults().get(name);
        return r == null ? "-" : String.format(format, r.getScore());
    }

    /**
     * JMH forks with {@code java.class.path}; under {@code exec:java} that is Maven's launcher, and the classes
     * come from a class loader of their own, so the fork is given that loader's class path.
     */
    private static void exposeClassPath() throws URISyntaxException {
        if (!(Thread.currentThread().getContextClassLoader() instanceof URLClassLoader loader)) {
            return;
        }
        List<String> entries = new ArrayList<>();
        for (URL url : loader.getURLs()) {
            entries.add(Path.of(url.toURI()).toString());
        }
        System.setProperty("java.class.path", String.join(File.pathSeparator, entries));
    }
}
