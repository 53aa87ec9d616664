package dev.idem.reliability;

import dev.idem.testing.RedisTestServer;
import io.lettuce.core.KeyValue;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Redis the suite's Redis-store instances share (the server named by {@code IDEM_TEST_REDIS_URL}; the tests
 * that need it are skipped without it), under a key prefix of this run, read directly (never through a proxy) to
 * check what the store holds. Its keys are deleted on {@link #close()}. Thread-safe.
 */
final class ReliabilityRedis implements AutoCloseable {

    final String host;
    final int port;
    final String prefix;
    private final StatefulRedisConnection<byte[], byte[]> connection;

    private ReliabilityRedis() {
        URI url = URI.create(RedisTestServer.url().orElseThrow());
        this.host = url.getHost();
        this.port = url.getPort() < 0 ? 6379 : url.getPort();
        this.prefix = RedisTestServer.uniquePrefix();
        this.connection = RedisTestServer.client().connect(ByteArrayCodec.INSTANCE);
    }

    /** The suite's Redis; skips the calling test, with one line, when {@code IDEM_TEST_REDIS_URL} is not set. */
    static ReliabilityRedis create() {
        RedisTestServer.assumeAvailable();
        return new ReliabilityRedis();
    }

    /**
     * Whether a completed record of {@code key} in {@code scope} holds {@code body}, the response a client received
     * (see {@link ReliabilityDatabase#recordHolds}); the records are found by their raw {@code scope} and {@code key}
     * fields under this run's prefix.
     */
    boolean recordHolds(String scope, String key, String body) {
        RedisCommands<byte[], byte[]> redis = connection.sync();
        List<byte[]> stored = new ArrayList<>();
        for (String record : RedisTestServer.keys(prefix)) {
            List<KeyValue<byte[], byte[]>> fields = redis.hmget(utf8(record), utf8("scope"), utf8("key"),
                    utf8("status"), utf8("body"));
            if (scope.equals(text(fields.get(0))) && key.equals(text(fields.get(1)))
                    && "COMPLETED".equals(text(fields.get(2)))) {
                stored.add(fields.get(3).getValue());
            }
        }
        return ReliabilityDatabase.anyHolds(stored, body);
    }

    private static String text(KeyValue<byte[], byte[]> field) {
        return field.hasValue() ? new String(field.getValue(), StandardCharsets.UTF_8) : null;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        connection.close();
        RedisTestServer.deleteKeys(prefix);
    }
}
