package dev.idem.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's programs that tests drive (node, chromium, redis-server): found on the PATH, never downloaded. */
public final class Programs {

    private Programs() {
    }

    /** The absolute path of the executable {@code program} on the PATH, or null when there is none. */
    public static String onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
