package dev.idem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The API ({@code dev.idem}) depends on the store SPI ({@code dev.idem.spi}), never the other way round, so a store
 * can be written against the SPI alone and the two packages do not form a cycle.
 */
class PackageDependenciesTest {

    private static final Pattern API_IMPORT = Pattern.compile("(?m)^import (static )?dev\\.idem\\.[A-Z]\\w*");

    @Test
    void theSpiImportsNothingOfTheApi() throws IOException {
        Path spi = Path.of("src/main/java/dev/idem/spi");
        try (Stream<Path> files = Files.list(spi)) {
            List<String> offenders = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> API_IMPORT.matcher(read(f)).find())
                    .map(f -> f.getFileName().toString()).toList();
            assertThat(offenders).as("dev.idem.spi types importing dev.idem types").isEmpty();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
