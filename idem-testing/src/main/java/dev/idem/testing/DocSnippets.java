package dev.idem.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the docs' code examples the code the tests run: a region of a test source between {@code // docs:NAME} and
 * {@code // docs:end} must equal, line for line (indentation removed), the fenced block that follows
 * {@code <!-- snippet: NAME -->} in a Markdown page. Stateless and thread-safe.
 */
public final class DocSnippets {

    private DocSnippets() {
    }

    /** The lines between {@code // docs:NAME} and {@code // docs:end} in {@code source}, common indentation removed. */
    public static String region(Path source, String name) {
        List<String> lines = read(source);
        int start = indexOf(lines, "// docs:" + name, 0, source);
        int end = indexOf(lines, "// docs:end", start + 1, source);
        List<String> region = lines.subList(start + 1, end);
        int indent = region.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        StringBuilder text = new StringBuilder();
        for (String line : region) {
            text.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
        }
        return text.toString();
    }

    /** The body of the fenced block right after {@code <!-- snippet: NAME -->} in {@code markdown}. */
    public static String block(Path markdown, String name) {
        List<String> lines = read(markdown);
        int marker = indexOf(lines, "<!-- snippet: " + name + " -->", 0, markdown);
        int open = marker + 1;
        if (open >= lines.size() || !lines.get(open).startsWith("```")) {
            throw new AssertionError("no fenced block right after the snippet marker " + name + " in " + markdown);
        }
        int close = indexOf(lines, "```", open + 1, markdown);
        StringBuilder text = new StringBuilder();
        lines.subList(open + 1, close).forEach(l -> text.append(l).append('\n'));
        return text.toString();
    }

    private static int indexOf(List<String> lines, String marker, int from, Path file) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(marker)) {
                return i;
            }
        }
        throw new AssertionError("no line '" + marker + "' in " + file);
    }

    private static List<String> read(Path file) {
        try {
            return new ArrayList<>(Files.readAllLines(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
