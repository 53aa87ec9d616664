package dev.idem.reliability;

import static org.awaitility.Awaitility.await;

import dev.idem.testing.Programs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One reference-app process (a JVM of its own, started from this module's class path with
 * {@link dev.idem.reliability.app.FaultInjectingApp}) on the suite's database, reached through its own
 * {@link FaultProxy} so a test can cut that instance off PostgreSQL. An instance on the Redis store
 * ({@link #launchOnRedis}) keeps its idempotency records in Redis, reached through a proxy of its own
 * ({@link #redis}), and its application data in PostgreSQL; its routes are all two-phase (Redis has no transactional
 * mode). It can be killed with SIGKILL, paused with SIGSTOP and resumed, and started again on the same port. Its output goes to {@code target/reliability-logs}.
 * Not thread-safe: one test drives it at a time.
 */
final class AppInstance implements AutoCloseable {

    /** The lease the instances use: long enough to see a live lease, short enough to wait out in a test. */
    static final Duration LEASE = Duration.ofSeconds(6);
    /** How long a duplicate waits for the owner before its 409: shorter than the lease. */
    static final Duration MAX_WAIT = Duration.ofSeconds(1);

    private static final Pattern METER_COUNT = Pattern.compile("\"statistic\":\"COUNT\",\"value\":([0-9.E]+)");

    final String name;
    final int port;
    final FaultProxy database;
    /** The proxy to Redis of an instance on the Redis store, else null. */
    final FaultProxy redis;
    private final ReliabilityDatabase db;
    private final ReliabilityRedis redisStore;
    private final Path log;
    private final List<String> settings;
    private Process process;

    private AppInstance(String name, ReliabilityDatabase db, ReliabilityRedis redisStore, List<String> settings) {
        this.name = name;
        this.db = db;
        this.redisStore = redisStore;
        this.settings = List.copyOf(settings);
        this.port = freePort();
        this.database = FaultProxy.start(name + "-pg", db.host, db.port);
        this.redis = redisStore == null ? null : FaultProxy.start(name + "-redis", redisStore.host, redisStore.port);
        this.log = Path.of("target", "reliability-logs", name + ".log");
    }

    /** Launches the process; call {@link #awaitReady()} before sending requests. */
    static AppInstance launch(String name, ReliabilityDatabase db) {
        return launch(name, db, List.of());
    }

    /** Launches the process with {@code settings} ({@code --name=value}) in place of the suite's own of that name. */
    static AppInstance launch(String name, ReliabilityDatabase db, List<String> settings) {
        AppInstance instance = new AppInstance(name, db, null, settings);
        instance.launch();
        return instance;
    }

    /** Launches the process with its idempotency records in {@code redis} (under its prefix) instead of PostgreSQL. */
    static AppInstance launchOnRedis(String name, ReliabilityDatabase db, ReliabilityRedis redis) {
        AppInstance instance = new AppInstance(name, db, redis, List.of());
        instance.launch();
        return instance;
    }

    void launch() {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx320m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dreliability.parent-pid=" + ProcessHandle.current().pid(),
                "-cp", System.getProperty("java.class.path"),
                "dev.idem.reliability.app.FaultInjectingApp",
                "--server.port=" + port,
                "--practice.instance-name=" + name,
                "--spring.datasource.url=" + db.urlVia("127.0.0.1", database.port()),
                "--spring.datasource.hikari.connection-timeout=1000",
                "--spring.datasource.hikari.validation-timeout=500",
                "--spring.datasource.hikari.maximum-pool-size=20",
                // an idle instance goes back to 2 connections within 10 s of its load, not 20 for 10 minutes:
                // seven instances share one server's 100 connections (a CI run peaked at 89 without the timeout)
                "--spring.datasource.hikari.minimum-idle=2",
                "--spring.datasource.hikari.idle-timeout=10000",
                "--server.tomcat.threads.max=64",
                "--idem.lease=" + LEASE.toSeconds() + "s",
                "--idem.max-wait=" + MAX_WAIT.toMillis() + "ms",
                "--idem.prune.enabled=false",
                "--practice.bookmark-toggle.limit=1000000",
                "--logging.level.root=WARN",
                "--logging.level.dev.idem=INFO"));
        List<String> overrides = new ArrayList<>();
        if (redis != null) {
            overrides.addAll(List.of("--idem.store=redis",
                    "--idem.redis.url=redis://127.0.0.1:" + redis.port(),
                    "--idem.redis.key-prefix=" + redisStore.prefix,
                    "--idem.http.transactional-paths=",
                    "--spring.datasource.hikari.maximum-pool-size=10"));
        }
        overrides.addAll(settings);
        for (String setting : overrides) { // a setting replaces the suite's own (two values would bind as a list)
            String name = setting.substring(0, setting.indexOf('=') + 1);
            command.removeIf(arg -> arg.startsWith(name));
            command.add(setting);
        }
        try {
            Files.createDirectories(log.getParent());
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
    }

    /** Waits until the app answers its health check (it fails fast if the process died). */
    void awaitReady() {
        await("instance " + name + " ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
                    }
                    return healthy();
                });
    }

    private boolean healthy() {
        try {
            return Http.get(uri("/actuator/health"), null).status() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    /** The COUNT of a Micrometer meter from {@code /actuator/metrics}, summed over its tags; 0 before it exists. */
    double meterCount(String meter) throws IOException {
        Http.Reply reply = Http.get(uri("/actuator/metrics/" + meter), null);
        if (reply.status() == 404) {
            return 0; // nothing recorded yet, so no meter
        }
        Matcher m = METER_COUNT.matcher(reply.body());
        if (!m.find()) {
            throw new IllegalStateException("no COUNT in " + reply.body());
        }
        return Double.parseDouble(m.group(1));
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: the JVM dies at once, no shutdown hook, no clean-up; PostgreSQL sees its connections drop. */
    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " survived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (FaultProxy proxy : proxies()) { // its dead sockets through the proxies go too
            proxy.cut();
            proxy.heal();
        }
    }

    /** SIGSTOP: every thread of the JVM stops (no lease renewal), as in a long GC pause or a frozen VM. */
    void pause() {
        Programs.signal(process, "STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    void resume() {
        Programs.signal(process, "CONT");
    }

    /** Starts the process again after {@link #kill()} (same port, same proxy) and waits until it is ready. */
    void restart() {
        if (isAlive()) {
            kill();
        }
        launch();
        awaitReady();
    }


    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            resume(); // a paused JVM would not die from SIGTERM
            process.destroyForcibly();
        }
        proxies().forEach(FaultProxy::close);
    }

    /** The proxies between this instance and its servers. */
    List<FaultProxy> proxies() {
        return redis == null ? List.of(database) : List.of(database, redis);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
