package dev.idem.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The figures each fault test measured, one Markdown table row per test, appended to
 * {@code target/reliability-report.md}, written anew by each test run (the README's "Guarantees and how they are
 * tested" table comes from it).
 */
final class Report {

    private static final Path FILE = Path.of("target", "reliability-report.md");
    private static boolean started;

    private Report() {
    }

    /** One row: the fault, how many times it was injected, executions counted, results lost, and a note. */
    static synchronized void row(String fault, long injected, String executions, long lost, String note) {
        try {
            if (!started) { // a new file for each test run
                started = true;
                Files.createDirectories(FILE.getParent());
                Files.writeString(FILE, "| fault | injected | executions counted | results lost | note |\n"
                        + "|---|---|---|---|---|\n", StandardCharsets.UTF_8);
            }
            Files.writeString(FILE, "| " + fault + " | " + injected + " | " + executions + " | " + lost + " | "
                    + note + " |\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("RELIABILITY " + fault + ": injected " + injected + ", executions " + executions
                + ", lost " + lost + " (" + note + ")");
    }
}
