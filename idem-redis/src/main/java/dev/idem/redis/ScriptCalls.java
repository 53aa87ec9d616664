package dev.idem.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

/**
 * How one of the store's scripts reaches Redis: as it is ({@link #plain}), or followed by a wait for replicas'
 * acknowledgement ({@link ReplicaAcknowledgedCalls}). Implementations are thread-safe.
 */
interface ScriptCalls {

    /** Runs {@code script} on {@code key} (its only key) and returns its reply. */
    <T> T run(LuaScript script, ScriptOutputType type, byte[] key, byte[]... args);

    /** Each script on {@code redis}, routed (and, in a cluster, redirected) by Lettuce. */
    static ScriptCalls plain(RedisClusterCommands<byte[], byte[]> redis) {
        return new ScriptCalls() {
            @Override
            public <T> T run(LuaScript script, ScriptOutputType type, byte[] key, byte[]... args) {
                return script.run(redis, type, key, args);
            }
        };
    }
}
