package dev.idem.testing;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis for tests: the server named by the environment variable {@code IDEM_TEST_REDIS_URL} (a Redis
 * URI, e.g. {@code redis://127.0.0.1:6379}). There is no embedded fallback: when the variable is unset,
 * {@link #assumeAvailable()} skips the calling test (class) with one clear line, printed once per JVM to
 * stderr, so a run without Redis is visibly skipped and never silently passes.
 *
 * <p>Tests share the server with anything else using it, so they never flush it: each test writes under its
 * own {@link #uniquePrefix() key prefix} and removes only its own keys with {@link #deleteKeys(String)}.
 * One {@link RedisClient} per JVM ({@link #client()}) is shut down at JVM exit. Thread-safe.
 */
public final class RedisTestServer {

    /** The environment variable naming the test server. */
    public static final String URL_VARIABLE = "IDEM_TEST_REDIS_URL";

    /** Why Redis tests are skipped when {@link #URL_VARIABLE} is unset. */
    public static final String SKIP_MESSAGE = URL_VARIABLE
            + " is not set: Redis tests skipped; set it to redis://host:port to run them";

    private static final Logger log = LoggerFactory.getLogger(RedisTestServer.class);
    private static final AtomicBoolean SKIP_REPORTED = new AtomicBoolean();
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;

    private RedisTestServer() {
    }

    /** The test server's URI, if {@link #URL_VARIABLE} is set. */
    public static Optional<String> url() {
        String url = System.getenv(URL_VARIABLE);
        return url == null || url.isBlank() ? Optional.empty() : Optional.of(url.trim());
    }

    /** Whether a test server is configured. */
    public static boolean isConfigured() {
        return url().isPresent();
    }

    /**
     * Aborts the calling test (or, from a {@code @BeforeAll} method, the whole class) as skipped when no test
     * server is configured, printing {@link #SKIP_MESSAGE} to stderr the first time. A configured server that
     * cannot be reached is not skipped: using it fails the test.
     */
    public static void assumeAvailable() {
        if (!isConfigured() && SKIP_REPORTED.compareAndSet(false, true)) {
            System.err.println(SKIP_MESSAGE);
        }
        Assumptions.assumeTrue(isConfigured(), SKIP_MESSAGE);
    }

    /** The shared client for the test server; the caller must not shut it down. */
    public static synchronized RedisClient client() {
        if (client == null) {
            String url = url().orElseThrow(() -> new IllegalStateException(SKIP_MESSAGE));
            RedisClient created = RedisClient.create(url);
            Runtime.getRuntime().addShutdownHook(new Thread(
                    () -> created.shutdown(0, 2, TimeUnit.SECONDS), "idem-test-redis-shutdown"));
            log.info("Testing against the Redis named by {}: {}", URL_VARIABLE, url);
            client = created;
        }
        return client;
    }

    /** Synchronous commands on a shared connection to the test server, for inspecting what a test wrote. */
    public static synchronized RedisCommands<String, String> commands() {
        if (connection == null) {
            connection = client().connect();
            connection.setTimeout(Duration.ofSeconds(10));
        }
        return connection.sync();
    }

    /** A key prefix no other test uses, e.g. {@code idem-test-3f9a...:}. */
    public static String uniquePrefix() {
        return "idem-test-" + UUID.randomUUID() + ":";
    }

    /**
     * Deletes every key starting with {@code prefix} (found with SCAN, so the server is never blocked and
     * never flushed).
     *
     * @return the number of keys deleted
     */
    public static long deleteKeys(String prefix) {
        RedisCommands<String, String> redis = commands();
        ScanArgs match = ScanArgs.Builder.matches(globEscape(prefix) + "*").limit(1000);
        long deleted = 0;
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = redis.scan(cursor, match);
            List<String> keys = page.getKeys();
            if (!keys.isEmpty()) {
                deleted += redis.del(keys.toArray(String[]::new));
            }
            cursor = page;
        } while (!cursor.isFinished());
        return deleted;
    }

    /** The keys starting with {@code prefix}. */
    public static List<String> keys(String prefix) {
        RedisCommands<String, String> redis = commands();
        ScanArgs match = ScanArgs.Builder.matches(globEscape(prefix) + "*").limit(1000);
        List<String> keys = new java.util.ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = redis.scan(cursor, match);
            keys.addAll(page.getKeys());
            cursor = page;
        } while (!cursor.isFinished());
        return keys;
    }

    private static String globEscape(String literal) {
        StringBuilder out = new StringBuilder(literal.length());
        for (char c : literal.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}
