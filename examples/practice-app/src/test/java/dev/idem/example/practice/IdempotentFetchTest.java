package dev.idem.example.practice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.testing.DocSnippets;
import dev.idem.testing.Programs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code idempotent-fetch.js}, the browser's half: served by the app at a stable path, and its Node test suite
 * ({@code src/test/js}: unit tests against a stub fetch, live tests against this running app) run with
 * {@code node --test}. Skipped, with one line, where no {@code node} is on the PATH.
 */
class IdempotentFetchTest extends PracticeAppTestBase {

    @Test
    void theModuleIsServedAtItsStablePath() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/idem/idempotent-fetch.js")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).contains("javascript");
        assertThat(response.body()).contains("export async function idempotentFetch(");
    }

    @Test
    void theNodeSuitePassesAgainstTheRunningApp() throws Exception {
        String node = Programs.onPath("node");
        Assumptions.assumeTrue(node != null, "no node on the PATH: the idempotent-fetch.js tests need Node.js 20");
        Path log = Path.of("target", "node-test.log");
        Files.createDirectories(log.getParent());
        ProcessBuilder command = new ProcessBuilder(node, "--test", "--test-reporter=tap", "src/test/js/")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        command.environment().put("IDEM_APP_URL", "http://127.0.0.1:" + port);
        Process process = command.start();
        boolean ended = process.waitFor(3, TimeUnit.MINUTES);
        if (!ended) {
            process.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(ended).as("node --test ended within 3 minutes:%n%s", output).isTrue();
        assertThat(process.exitValue()).as("node --test exit code:%n%s", output).isZero();
        assertThat(output).as("the live tests ran, not skipped").contains("# skipped 0").contains("# fail 0");
    }

    @Test
    void theReadmeExampleIsTheLiveTestsCodeVerbatim() {
        assertThat(DocSnippets.region(Path.of("src/test/js/live-app.test.mjs"), "client-js"))
                .isEqualTo(DocSnippets.block(Path.of("../../README.md"), "client-js"));
    }

}
