package dev.idem.redis;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Each write script runs on the master that holds its key, followed on the same connection by
 * {@code WAIT replicas timeout}: Redis answers WAIT once that many replicas acknowledged every write the connection
 * sent before it, so the script's write is covered. When fewer acknowledge within the timeout and the script wrote,
 * the call fails (the write reached the master but may be lost if it fails over now), and so does the store
 * operation: the engine fails closed. A script that changed nothing (a replay, a fenced write) answers as it is.
 * A WAIT holds its connection on the server until it returns, so commands pipelined behind it on that master wait
 * for the replicas too.
 *
 * <p>In a cluster the master comes from the client's view of the slots. A {@code MOVED} answer (the slot moved and
 * the script did not run) is followed to the node it names, at most twice. An {@code ASK} answer (the slot is being
 * migrated and the key is not on the source any more) is not followed, because {@code ASKING} and the script would
 * have to reach the target with no other command between them on a shared connection: the call fails and the
 * caller's retry finds the key once the slot settled. Thread-safe.
 */
final class ReplicaAcknowledgedCalls implements ScriptCalls {

    private static final int REDIRECTS = 2;

    private final Masters masters;
    private final int replicas;
    private final Duration waitTimeout;
    private final Duration commandTimeout;

    /** Where a key's writes go: its master's connection, or the node a redirection named. */
    private interface Masters {
        RedisClusterAsyncCommands<byte[], byte[]> of(byte[] key);

        RedisClusterAsyncCommands<byte[], byte[]> at(String host, int port);
    }

    private ReplicaAcknowledgedCalls(Masters masters, int replicas, Duration waitTimeout, Duration commandTimeout) {
        this.masters = masters;
        this.replicas = replicas;
        this.waitTimeout = waitTimeout;
        this.commandTimeout = commandTimeout;
    }

    /** On a standalone master (or one found through Sentinel): every write goes on its one connection. */
    static ReplicaAcknowledgedCalls standalone(StatefulRedisConnection<byte[], byte[]> connection, int replicas,
                                               Duration waitTimeout, Duration commandTimeout) {
        Masters masters = new Masters() {
            @Override
            public RedisClusterAsyncCommands<byte[], byte[]> of(byte[] key) {
                return connection.async();
            }

            @Override
            public RedisClusterAsyncCommands<byte[], byte[]> at(String host, int port) {
                throw new RedisException("a standalone Redis answered with a cluster redirection to " + host + ":"
                        + port);
            }
        };
        return new ReplicaAcknowledgedCalls(masters, replicas, waitTimeout, commandTimeout);
    }

    /** On a cluster: each write on the connection to the master of its key's slot. */
    static ReplicaAcknowledgedCalls cluster(StatefulRedisClusterConnection<byte[], byte[]> connection, int replicas,
                                            Duration waitTimeout, Duration commandTimeout) {
        Masters masters = new Masters() {
            @Override
            public RedisClusterAsyncCommands<byte[], byte[]> of(byte[] key) {
                int slot = SlotHash.getSlot(key);
                RedisClusterNode master = connection.getPartitions().getMasterBySlot(slot);
                if (master == null) {
                    throw new RedisException("no master serves hash slot " + slot + " in the client's view of the"
                            + " cluster");
                }
                return at(master.getUri().getHost(), master.getUri().getPort());
            }

            @Override
            public RedisClusterAsyncCommands<byte[], byte[]> at(String host, int port) {
                return await(connection.getConnectionAsync(host, port), commandTimeout, host + ":" + port).async();
            }
        };
        return new ReplicaAcknowledgedCalls(masters, replicas, waitTimeout, commandTimeout);
    }

    @Override
    public <T> T run(LuaScript script, ScriptOutputType type, Predicate<? super T> wrote, byte[] key,
                     byte[]... args) {
        RedisClusterAsyncCommands<byte[], byte[]> master = masters.of(key);
        for (int redirects = 0; ; redirects++) {
            try {
                return acknowledged(master, script, type, wrote, key, args);
            } catch (RedisCommandExecutionException e) {
                String[] moved = redirection(e, "MOVED ");
                if (moved == null || redirects == REDIRECTS) {
                    if (redirection(e, "ASK ") != null) {
                        throw new RedisException("the key's hash slot is being migrated (" + e.getMessage()
                                + "); with replica acknowledgements the write is refused until it settled", e);
                    }
                    throw e;
                }
                master = masters.at(moved[0], Integer.parseInt(moved[1]));
            }
        }
    }

    private <T> T acknowledged(RedisClusterAsyncCommands<byte[], byte[]> master, LuaScript script,
                               ScriptOutputType type, Predicate<? super T> wrote, byte[] key, byte[]... args) {
        byte[][] keys = {key};
        RedisFuture<T> write = master.evalsha(script.sha(), type, keys, args);
        RedisFuture<Long> acknowledged = master.waitForReplication(replicas, waitTimeout.toMillis());
        T reply;
        try {
            reply = LettuceFutures.awaitOrCancel(write, commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RedisCommandExecutionException e) {
            if (!LuaScript.isNoScript(e)) {
                throw e;
            }
            write = master.eval(script.source(), type, keys, args); // the master lost its script cache
            acknowledged = master.waitForReplication(replicas, waitTimeout.toMillis());
            reply = LettuceFutures.awaitOrCancel(write, commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        Long count = LettuceFutures.awaitOrCancel(acknowledged, commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if ((count == null || count < replicas) && wrote.test(reply)) { // only a change needs the replicas
            throw new RedisException("the write reached the master but " + (count == null ? 0 : count) + " of "
                    + replicas + " replicas acknowledged it within " + waitTimeout.toMillis() + " ms (WAIT); it"
                    + " may be lost if the master fails over now");
        }
        return reply;
    }

    /** {@code host, port} of a {@code MOVED}/{@code ASK} answer ("MOVED 3999 127.0.0.1:6381"), else null. */
    private static String[] redirection(RedisCommandExecutionException e, String kind) {
        String message = e.getMessage();
        if (message == null || !message.startsWith(kind)) {
            return null;
        }
        String[] parts = message.split(" ");
        int colon = parts.length == 3 ? parts[2].lastIndexOf(':') : -1;
        return colon < 0 ? null : new String[] {parts[2].substring(0, colon), parts[2].substring(colon + 1)};
    }

    private static <C> C await(CompletableFuture<C> future, Duration timeout, String node) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new RedisException("could not connect to " + node + " within " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw new RedisException("could not connect to " + node + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisException("interrupted while connecting to " + node, e);
        }
    }
}
