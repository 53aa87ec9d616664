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

    /** Writes {@code markdown} to {@code NAME-DATE.md} in {@link #dir()}, prints it and where it went. */
    static Path write(String name, CharSequence markdown) throws IOException {
        Path out = dir().resolve(name + "-" + LocalDate.now() + ".md");
        Files.writeString(out, markdown);
        System.out.println(markdown);
        System.out.println("written to " + out.toAbsolutePath());
        return out;
    }
}
