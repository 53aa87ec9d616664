package dev.idem.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One Lua script of the store, read from {@code dev/idem/redis/<name>.lua} on the classpath. It runs by its
 * SHA-1 ({@code EVALSHA}, so only 40 bytes of script travel per call); when the server answers
 * {@code NOSCRIPT} (it restarted, failed over, or someone ran {@code SCRIPT FLUSH}) the call is repeated once
 * with {@code EVAL}, which runs the same script atomically and puts it back into the server's script cache.
 * Every script touches exactly one key, so it is routed to that key's node in a cluster. Immutable and
 * thread-safe.
 */
final class LuaScript {

    private final String name;
    private final byte[] source;
    private final String sha;

    private LuaScript(String name, byte[] source) {
        this.name = name;
        this.source = source;
        this.sha = sha1(source);
    }

    static LuaScript load(String name) {
        String resource = name + ".lua";
        try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("dev/idem/redis/" + resource + " is missing from the classpath");
            }
            return new LuaScript(name, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("could not read dev/idem/redis/" + resource, e);
        }
    }

    String name() {
        return name;
    }

    String sha() {
        return sha;
    }

    /** The script's text, for {@code EVAL} after a {@code NOSCRIPT}. */
    byte[] source() {
        return source;
    }

    /** Whether {@code e} is the server's {@code NOSCRIPT}: it does not hold the script (restart, failover, flush). */
    static boolean isNoScript(RuntimeException e) {
        return e instanceof RedisNoScriptException
                || e instanceof RedisCommandExecutionException && e.getMessage() != null
                && e.getMessage().startsWith("NOSCRIPT");
    }

    /** Puts the script into the server's cache ({@code SCRIPT LOAD}); also checks that it compiles. */
    void register(RedisClusterCommands<byte[], byte[]> redis) {
        String loaded = redis.scriptLoad(source);
        if (!sha.equalsIgnoreCase(loaded)) {
            throw new IllegalStateException("Redis returned SHA-1 " + loaded + " for script " + name + ", expected " + sha);
        }
    }

    /** Runs the script on {@code key}: {@code EVALSHA}, or {@code EVAL} when the server lost the script. */
    <T> T run(RedisClusterCommands<byte[], byte[]> redis, ScriptOutputType type, byte[] key, byte[]... args) {
        byte[][] keys = {key};
        try {
            return redis.evalsha(sha, type, keys, args);
        } catch (RedisCommandExecutionException e) {
            if (isNoScript(e)) {
                return redis.eval(source, type, keys, args);
            }
            throw e;
        }
    }

    private static String sha1(byte[] source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every Java platform", e);
        }
    }

    @Override
    public String toString() {
        return name + ".lua (" + sha + ")";
    }
}
