package dev.idem.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The reference app as a user deploys it: {@code java -jar} on the executable jar the build makes
 * ({@code examples/practice-app/target/*-exec.jar}), in a fresh working directory, with nothing but a port set. It
 * starts its embedded PostgreSQL beside that directory ({@code ./.idem-data/pg}), answers its health check, and a
 * retried request is replayed.
 */
class ExecutableJarTest {

    @Test
    void theJarStartsOnItsEmbeddedPostgresAndReplaysARetry() throws Exception {
        Path jar = executableJar();
        Path workDir = Files.createDirectories(Path.of("target", "jar-run-" + UUID.randomUUID()));
        Path log = workDir.resolve("app.log");
        int port = freePort();
        Process app = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toAbsolutePath().toString(), "--server.port=" + port)
                .directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            URI base = URI.create("http://127.0.0.1:" + port);
            await("the jar's app ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        assertThat(app.isAlive()).as("the app exited; see %s", log).isTrue();
                        try {
                            return Http.get(base.resolve("/actuator/health"), null).body().contains("\"UP\"");
                        } catch (IOException notYet) {
                            return false;
                        }
                    });
            assertThat(workDir.resolve(".idem-data/pg")).as("the embedded database's data, beside the working"
                    + " directory").isDirectory();

            String key = "jar-" + UUID.randomUUID();
            Http.Reply first = Http.post(base.resolve("/api/practice-sessions"), "demo-alice", key,
                    "{\"questionCount\":2}");
            Http.Reply retry = Http.post(base.resolve("/api/practice-sessions"), "demo-alice", key,
                    "{\"questionCount\":2}");
            assertThat(first.status()).as(first.body()).isEqualTo(201);
            assertThat(first.replayed()).isFalse();
            assertThat(retry.status()).isEqualTo(201);
            assertThat(retry.replayed()).isTrue();
            assertThat(retry.body()).isEqualTo(first.body());
        } finally {
            app.destroy();
            if (!app.waitFor(30, TimeUnit.SECONDS)) {
                app.destroyForcibly();
            }
        }
    }

    private static Path executableJar() throws IOException {
        Path target = Path.of("..", "examples", "practice-app", "target");
        try (Stream<Path> files = Files.list(target)) {
            List<Path> jars = files.filter(p -> p.getFileName().toString().endsWith("-exec.jar")).toList();
            assertThat(jars).as("the executable jar in %s (built by the practice app's package phase)", target)
                    .hasSize(1);
            return jars.get(0);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
