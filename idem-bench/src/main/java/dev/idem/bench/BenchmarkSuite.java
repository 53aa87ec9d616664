package dev.idem.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.idem.testing.PostgresTestDatabase;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The whole benchmark suite in one run (about 10 minutes on 2 cores): store lifecycle, replay and transactional
 * rates against the raw statements they need, duplicate wake-up latency, growth of the PostgreSQL table to
 * 10 M records, and JMH micro benchmarks of the in-JVM paths. Writes {@code suite-DATE.md} and
 * {@code suite-DATE.png} to {@code idem-bench/results/}.
 *
 * <p>Run: {@code ./mvnw -B -q install -DskipTests && ./mvnw -B -q -pl idem-bench exec:java
 * -Didem.bench.main=dev.idem.bench.BenchmarkSuite} ({@code -Didem.bench.growth=100000,1000000} for a shorter
 * growth series).
 */
public final class BenchmarkSuite {

    private BenchmarkSuite() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = Integer.getInteger("idem.bench.seconds", 3);
        long[] sizes = GrowthBenchmark.sizes();
        StringBuilder md = new StringBuilder();
        List<Map.Entry<String, Double>> ratios = new ArrayList<>();
        try (HikariDataSource pool = PostgresTestDatabase.newDataSource(24)) {
            md.append("# Idem benchmark suite, ").append(LocalDate.now()).append("\n\n")
                    .append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                    .append(System.getProperty("java.version")).append(", PostgreSQL ").append(Servers.postgresVersion(pool))
                    .append(PostgresTestDatabase.isEmbedded() ? " (embedded)" : "").append(".\n\n");

            md.append("## Lifecycle, replay and transactional mode against the raw statements\n\n")
                    .append(LifecycleBenchmark.HEADER);
            for (String row : LifecycleBenchmark.rows(pool, seconds)) {
                md.append(row).append('\n');
                String[] cells = row.split("\\|");
                if (cells.length > 5 && cells[5].trim().matches("[0-9.]+")) {
                    ratios.add(Map.entry(cells[1].trim() + ", " + cells[2].trim() + " thr", Double.parseDouble(cells[5].trim())));
                }
            }

            md.append("\n## Duplicate wake-up latency\n\n").append(WakeUpLatencyBenchmark.HEADER);
            WakeUpLatencyBenchmark.rows(pool).forEach(r -> md.append(r).append('\n'));

            md.append("\n## Growth: lifecycle rate (4 callers) as the PostgreSQL table fills, without and with pruning\n\n")
                    .append(GrowthBenchmark.HEADER);
            GrowthBenchmark.run(pool, seconds, sizes).forEach(r -> md.append(r).append('\n'));
        }

        md.append("\n## JMH (").append(InMemoryJmh.SETTINGS).append(")\n\n").append(InMemoryJmh.HEADER);
        InMemoryJmh.rows(MicroBenchmarks.class.getName()).forEach(row -> md.append(row).append('\n'));

        md.append("\n![Idem / raw](suite-").append(LocalDate.now()).append(".png)\n");
        ChartWriter.ratios("Idem throughput / raw statements (1.0 = no overhead)", ratios,
                ResultFiles.dir().resolve("suite-" + LocalDate.now() + ".png"));
        ResultFiles.write("suite", md);
        System.exit(0);
    }

}
