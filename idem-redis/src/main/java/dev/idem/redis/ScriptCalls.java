package dev.idem.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.function.Predicate;

/**
 * How one of the store's scripts reaches Redis: as it is ({@link #plain}), or followed by a wait for replicas'
 * acknowledgement ({@link ReplicaAcknowledgedCalls}). Implementations are thread-safe.
 */
interface ScriptCalls {

    /**
     * Runs {@code script} on {@code key} (its only key) and returns its reply; {@code wrote} tells from the reply
     * whether the script changed the record (only a write needs replicas' acknowledgement).
     */
    <T> T run(LuaScript script, ScriptOutputType type, Predicate<? super T> wrote, byte[] key, byte[]... args);

    /** Each script on {@code redis}, routed (and, in a cluster, redirected) by Lettuce. */
    static ScriptCalls plain(RedisClusterCommands<byte[], byte[]> redis) {
        return new ScriptCalls() {
            @Override
            public <T> T run(LuaScript script, ScriptOutputType type, Predicate<? super T> wrote, byte[] key,
                             byte[]... args) {
                return script.run(redis, type, key, args);
            }
        };
    }
}
