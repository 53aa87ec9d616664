package dev.idem.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

/** Where the harnesses write their results: {@code idem-bench/results/NAME-DATE.md}, from the root or the module. */
final class ResultFiles {

    private ResultFiles() {
    }

    /** The results folder, created if missing. */
    static Path dir() throws IOException {
        Path dir = Files.isDirectory(Path.of("idem-bench")) ? Path.of("idem-bench", "results") : Path.of("results");
        return Files.createDirectories(dir);
    }

    /**
     * Writes {@code markdown} to {@code NAME-DATE.md} in {@link #dir()} ({@code NAME-DATE-LABEL.md} with
     * {@code -Didem.bench.label=LABEL}, so a second run on one day keeps the first), prints it and where it went.
     */
    static Path write(String name, CharSequence markdown) throws IOException {
        String label = System.getProperty("idem.bench.label", "");
        if (!label.matches("[a-z0-9-]{0,40}")) {
            throw new IllegalArgumentException("idem.bench.label must be 0-40 characters of a-z, 0-9 and '-', got '"
                    + label + "'");
        }
        Path out = dir().resolve(name + "-" + LocalDate.now() + (label.isEmpty() ? "" : "-" + label) + ".md");
        Files.writeString(out, markdown);
        System.out.println(markdown);
        System.out.println("written to " + out.toAbsolutePath());
        return out;
    }
}
