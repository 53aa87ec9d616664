package dev.idem.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.idem.testing.RedisTestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The reference app as a user deploys it: {@code java -jar} on the executable jar the build makes
 * ({@code examples/practice-app/target/*-exec.jar}), in a fresh working directory, with nothing but a port set. It
 * starts its embedded PostgreSQL beside that directory ({@code ./.idem-data/pg}), answers its health check, and a
 * retried request is replayed; and the same jar with its records in Redis ({@code idem.store=redis}).
 */
class ExecutableJarTest {

    @Test
    void theJarStartsOnItsEmbeddedPostgresAndReplaysARetry() throws Exception {
        Path workDir = newWorkDir();
        int port = freePort();
        Process app = startJar(workDir, port);
        try {
            URI base = awaitReady(app, workDir, port);
            assertThat(workDir.resolve(".idem-data/pg")).as("the embedded database's data, beside the working"
                    + " directory").isDirectory();
            assertARetryIsReplayed(base);
        } finally {
            stop(app);
        }
    }

    @Test
    void theJarKeepsItsRecordsInRedisWhenToldTo() throws Exception {
        RedisTestServer.assumeAvailable();
        String prefix = RedisTestServer.uniquePrefix();
        Path workDir = newWorkDir();
        int port = freePort();
        // Redis has no transactional mode, so every route runs two-phase (the app refuses to start otherwise)
        Process app = startJar(workDir, port, "--idem.store=redis", "--idem.redis.url="
                + RedisTestServer.url().orElseThrow(), "--idem.redis.key-prefix=" + prefix,
                "--idem.http.transactional-paths=");
        try {
            URI base = awaitReady(app, workDir, port);
            assertARetryIsReplayed(base);
            assertThat(RedisTestServer.keys(prefix)).as("the record, in Redis under the prefix").hasSize(1);
            assertThat(Files.readString(workDir.resolve("app.log"))).contains("Idem uses the Redis store");
        } finally {
            stop(app);
            RedisTestServer.deleteKeys(prefix);
        }
    }

    private static Path newWorkDir() throws IOException {
        return Files.createDirectories(Path.of("target", "jar-run-" + UUID.randomUUID()));
    }

    /** {@code java -jar} in {@code workDir} on {@code port}, its output in {@code workDir/app.log}. */
    private static Process startJar(Path workDir, int port, String... settings) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-jar", executableJar().toAbsolutePath().toString(),
                "--server.port=" + port));
        command.addAll(List.of(settings));
        return new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(workDir.resolve("app.log").toFile()).start();
    }

    /** The app's base URI once its health check answers UP. */
    private static URI awaitReady(Process app, Path workDir, int port) {
        URI base = URI.create("http://127.0.0.1:" + port);
        Path log = workDir.resolve("app.log");
        await("the jar's app ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    assertThat(app.isAlive()).as("the app exited; see %s", log).isTrue();
                    try {
                        return Http.get(base.resolve("/actuator/health"), null).body().contains("\"UP\"");
                    } catch (IOException notYet) {
                        return false;
                    }
                });
        return base;
    }

    private static void assertARetryIsReplayed(URI base) throws Exception {
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
    }

    private static void stop(Process app) throws InterruptedException {
        app.destroy();
        if (!app.waitFor(30, TimeUnit.SECONDS)) {
            app.destroyForcibly();
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
