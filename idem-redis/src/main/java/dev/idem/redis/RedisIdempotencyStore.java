package dev.idem.redis;

import dev.idem.IdempotencyStoreException;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.IdempotencyStore;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import dev.idem.spi.SignalingWaiter;
import dev.idem.spi.StoredError;
import dev.idem.spi.StoredRecord;
import dev.idem.spi.StoredResult;
import dev.idem.spi.Waiter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The Redis store: Lettuce over a standalone Redis or a Redis Cluster, one hash per record, every multi-step
 * operation one Lua script (so each check and the write it guards are atomic on the server, and each operation
 * is one round trip), every write after the claim fenced by the owner token, expiry decided by the engine's
 * clock. Waiting duplicates are woken by pub/sub: a waiting duplicate flags the record, the completion, failure
 * or release of a flagged record PUBLISHes its {@link RecordId#digest()} on one channel from inside its script
 * (records nobody waits for never publish), and one subscribed connection per store wakes the waiters of this
 * JVM, whichever application instance finished the record. A completion's or failure's message also carries the
 * finished record when its body is at most 16 KiB, so those waiters replay it without a read; waiters on the
 * instance that finished the record get it in the JVM at once.
 *
 * <h2>Layout</h2>
 * A record lives in the hash {@code <prefix>{<digest>}} (prefix default {@code idem:}), with the fields
 * {@code fingerprint}, {@code status}, {@code owner}, {@code lease_until}, {@code expires_at} (epoch
 * milliseconds), {@code content_type}, {@code body} (raw bytes: the encoded result, or the encoded
 * {@link StoredError}) and {@code waiters} (set once a duplicate waits), plus the raw {@code scope}, {@code action} and {@code key} for people reading the
 * data. The digest between the braces is unambiguous whatever the parts contain and is the cluster hash tag,
 * so a record never spans slots. Notifications go to the channel {@code <prefix>events} unless configured.
 *
 * <h2>Expiry</h2>
 * Whether a record is expired, or its lease ended, is always decided from the instants the engine passes in,
 * compared with the stored {@code expires_at} and {@code lease_until}; Redis' own clock is never consulted, so
 * expiry follows the engine's one clock exactly as with the other stores. Each hash also carries a native
 * expiry ({@code PEXPIREAT expires_at}, moved forward when a lease renewal extends the record), which only
 * collects garbage: no pruning job is needed and {@link #pruneExpiredBefore} does nothing. Native expiry runs
 * on the Redis server's clock, so application and Redis clocks should agree to well within the ttl.
 *
 * <h2>Trade-offs against PostgreSQL</h2>
 * <ul>
 *   <li>Durability is Redis' own: without persistence (AOF with {@code appendfsync always} or
 *       {@code everysec}, or replication with failover), a restart or failover forgets every key, and a retry
 *       that arrives afterwards runs its action again. PostgreSQL keeps its records through restarts. Replication
 *       is asynchronous: a write acknowledged by a master that fails over before its replica received it is lost,
 *       unless {@link Builder#replicaAcknowledgements} makes every write wait for the replicas.</li>
 *   <li>There is no transactional mode: an action's own writes (to another database) and its record cannot
 *       commit together, so "effect committed, result lost" is possible when the process dies between the two;
 *       the lease then ends and a retry runs the action again.</li>
 *   <li>A command that times out on the client may still have run on the server. A claim lost that way leaves
 *       an owner nobody holds: retries get a conflict until its lease ends, then take it over.</li>
 * </ul>
 *
 * <h2>Connections and failures</h2>
 * The store opens, and owns, one command connection (shared by all threads; Lettuce pipelines concurrent
 * commands) and, with notifications, one pub/sub connection. {@link Builder#build()} connects eagerly: it loads
 * the scripts and subscribes before it returns, and throws {@link IdempotencyStoreException} if Redis cannot be
 * reached, so a misconfigured application fails at start-up. Later outages are ridden out by Lettuce's
 * automatic reconnection (the client's options decide it); meanwhile every operation fails within the command
 * timeout (default 2 s) with an {@link IdempotencyStoreException} naming the operation and the record, so the
 * engine fails closed and the action does not run. {@link #close()} closes the store's connections, never the
 * client.
 *
 * <p>Requires Redis 6 or later (or a compatible server with Lua scripting and pub/sub). Thread-safe and
 * immutable once built.
 */
public final class RedisIdempotencyStore implements IdempotencyStore, AutoCloseable {

    /** The default key prefix. */
    public static final String DEFAULT_KEY_PREFIX = RedisKeys.DEFAULT_PREFIX;

    /** The default command timeout. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);

    private final RedisRecords records;
    private final StatefulConnection<byte[], byte[]> connection;
    private final RedisClusterCommands<byte[], byte[]> commands;
    private final ScriptCalls plain;
    private final ScriptCalls writes;
    private final SignalingWaiter waiter;
    private final EventSubscriber subscriber;

    private RedisIdempotencyStore(RedisRecords records, StatefulConnection<byte[], byte[]> connection,
                                  RedisClusterCommands<byte[], byte[]> commands, ScriptCalls writes,
                                  SignalingWaiter waiter, EventSubscriber subscriber) {
        this.records = records;
        this.connection = connection;
        this.commands = commands;
        this.plain = ScriptCalls.plain(commands);
        this.writes = writes == null ? plain : writes;
        this.waiter = waiter;
        this.subscriber = subscriber;
    }

    /** A builder for a store on a standalone Redis (or one reached through Sentinel) named by the client's URI. */
    public static Builder builder(RedisClient client) {
        return new Builder(Objects.requireNonNull(client, "client"), null);
    }

    /**
     * A builder for a store on a Redis Cluster. Each record is one key and each script touches only that key, so
     * every operation runs on the node owning the record's slot; scripts are loaded on every node, and PUBLISH
     * reaches subscribers on any node.
     */
    public static Builder builder(RedisClusterClient client) {
        return new Builder(null, Objects.requireNonNull(client, "client"));
    }

    /** A store with the default prefix {@code idem:}, notifications on, and a 2 s command timeout. */
    public static RedisIdempotencyStore create(RedisClient client) {
        return builder(client).build();
    }

    @Override
    public ClaimResult claim(ClaimRequest request) {
        return call("claim", request.id(), () -> records.claim(writes, request));
    }

    @Override
    public Optional<StoredRecord> find(RecordId id, Instant now) {
        return call("find", id, () -> records.find(commands, id, now));
    }

    @Override
    public boolean complete(RecordId id, OwnerToken token, StoredResult result) {
        return written(id, call("complete", id, () -> records.complete(writes, id, token, result,
                waiter.hasHandles())));
    }

    @Override
    public boolean fail(RecordId id, OwnerToken token, StoredError error) {
        return written(id, call("fail", id, () -> records.fail(writes, id, token, error,
                waiter.hasHandles())));
    }

    @Override
    public boolean release(RecordId id, OwnerToken token) {
        boolean released = call("release", id, () -> records.release(writes, id, token));
        if (released) {
            waiter.signal(id); // this instance's own waiters look again at once; others hear the message
        }
        return released;
    }

    /** Hands a record this instance just finished to its own waiters at once (other instances hear the message). */
    private boolean written(RecordId id, Function<RecordId, StoredRecord> finished) {
        if (finished == null) {
            return false;
        }
        waiter.signal(id, finished);
        return true;
    }

    @Override
    public boolean renewLease(RecordId id, OwnerToken token, Instant leaseUntil) {
        return call("renew the lease of", id, () -> records.renewLease(writes, id, token, leaseUntil));
    }

    /**
     * Does nothing and returns 0: Redis expires every record natively ({@code PEXPIREAT} at its
     * {@code expires_at}), so no pruning job is needed. Expired records that Redis has not collected yet are
     * already invisible to {@link #find} and overwritten by {@link #claim}.
     *
     * @return always 0
     */
    @Override
    public int pruneExpiredBefore(Instant cutoff, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        return 0;
    }

    /** Redis expires every record's keys natively ({@code PEXPIREAT}): nothing to prune. */
    @Override
    public boolean expiresRecordsItself() {
        return true;
    }

    /**
     * The pub/sub waiter, or {@link Waiter#polling()} when notifications are off. Registering flags the record as
     * waited for (one script), so that its owner publishes when it finishes (records nobody waits for never
     * publish); if it already finished, the handle is woken at once. The engine re-reads the record after
     * registering, so a signal that overtook the claim's reply is not missed either.
     */
    @Override
    public Waiter waiter() {
        if (subscriber == null) {
            return Waiter.polling();
        }
        return waiter.flagging(id -> call("flag a waiter on", id, () -> records.flagWaiter(plain, id)));
    }

    /** The prefix of every key this store writes. */
    public String keyPrefix() {
        return records.keys().prefix();
    }

    /** The pub/sub channel completions, failures and releases are announced on (even when this store does not listen). */
    public String channel() {
        return records.keys().channel();
    }

    /** The Redis key of the hash holding {@code id}'s record, e.g. for inspecting it with {@code HGETALL}. */
    public String keyOf(RecordId id) {
        return records.keys().key(id);
    }

    /** Closes the store's connections (not the client); the store must not be used afterwards. */
    @Override
    public void close() {
        try {
            if (subscriber != null) {
                subscriber.close();
            }
        } finally {
            connection.close();
        }
    }

    private <R> R call(String operation, RecordId id, Supplier<R> work) {
        try {
            return work.get();
        } catch (RedisException e) {
            throw new IdempotencyStoreException("Redis failed to " + operation + " " + id + " ("
                    + e.getClass().getSimpleName() + "): " + e.getMessage(), e);
        }
    }

    /** Collects the store's settings; not thread-safe. */
    public static final class Builder {
        private final RedisClient client;
        private final RedisClusterClient clusterClient;
        private String keyPrefix = DEFAULT_KEY_PREFIX;
        private String channel;
        private boolean notifications = true;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private int replicas;
        private Duration replicaTimeout;

        private Builder(RedisClient client, RedisClusterClient clusterClient) {
            this.client = client;
            this.clusterClient = clusterClient;
        }

        /**
         * The prefix of every key (default {@code idem:}): 1 to 128 printable ASCII characters without spaces or
         * braces. Stores with different prefixes never see each other's records.
         */
        public Builder keyPrefix(String keyPrefix) {
            RedisKeys.validatePrefix(keyPrefix);
            this.keyPrefix = keyPrefix;
            return this;
        }

        /**
         * The pub/sub channel for wake-ups (default {@code <prefix>events}). Every application instance sharing the
         * prefix must use the same channel.
         */
        public Builder channel(String channel) {
            RedisKeys.validateChannel(channel);
            this.channel = channel;
            return this;
        }

        /**
         * Whether finished records PUBLISH a wake-up for waiting duplicates (default true). Off, waiters poll at
         * the engine's poll interval and no pub/sub connection is held.
         */
        public Builder notifications(boolean notifications) {
            this.notifications = notifications;
            return this;
        }

        /**
         * How long one command may take before it fails with {@link IdempotencyStoreException} (default 2 s),
         * including while Lettuce is reconnecting, so a dead Redis fails requests fast instead of hanging them.
         */
        public Builder commandTimeout(Duration commandTimeout) {
            Objects.requireNonNull(commandTimeout, "commandTimeout");
            if (commandTimeout.isNegative() || commandTimeout.isZero()) {
                throw new IllegalArgumentException("commandTimeout must be positive, got " + commandTimeout);
            }
            this.commandTimeout = commandTimeout;
            return this;
        }

        /**
         * Makes every write (claim, completion, failure, release, lease renewal) wait until {@code replicas}
         * replicas of the record's master acknowledged it ({@code WAIT replicas timeout}, sent right after the
         * write on the same connection), and fail with {@link IdempotencyStoreException} when fewer did within
         * {@code timeout}: the engine then fails closed (a claim not acknowledged does not run its action). Redis
         * replicates asynchronously, so without this a write acknowledged to the application can be lost when its
         * master fails over before a replica received it (a claim lost that way lets a duplicate run the action
         * again; a completion lost that way makes a retry run it again once the lease ended).
         *
         * <p>What remains: a write that was refused after reaching the master (too few acknowledgements) may or may
         * not survive a failover; a refused completion is logged by the engine and the caller still gets its result,
         * so if the failover then loses it, a retry runs the action again after the lease, as after any completion
         * that could not be stored. A call that wrote nothing (a replay, a fenced write) is answered whatever the
         * replicas said, so a master without a live replica still serves replays, each after the timeout. With
         * several replicas per master, ask for all of them (Redis promotes the most
         * up-to-date replica first, but does not promise to). Each write costs one more round trip between master and
         * replica, and holds its connection to that master on the server until the replicas answered. Default: off
         * (0 replicas). In a cluster, a write whose slot is being migrated ({@code ASK}) is refused until the slot
         * settled; {@code MOVED} is followed.
         *
         * @param replicas how many replicas must acknowledge each write, 0 for none (the default)
         * @param timeout  how long a write waits for them: positive and shorter than the command timeout
         */
        public Builder replicaAcknowledgements(int replicas, Duration timeout) {
            if (replicas < 0) {
                throw new IllegalArgumentException("replicas must be 0 or more, got " + replicas);
            }
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("the replica acknowledgement timeout must be positive, got "
                        + timeout);
            }
            this.replicas = replicas;
            this.replicaTimeout = timeout;
            return this;
        }

        /**
         * Connects, loads the scripts and (with notifications) subscribes, then returns the store.
         *
         * @throws IllegalArgumentException  for an invalid prefix or channel
         * @throws IdempotencyStoreException if Redis cannot be reached or refuses the scripts or the subscription
         */
        public RedisIdempotencyStore build() {
            if (replicas > 0 && replicaTimeout.compareTo(commandTimeout) >= 0) {
                throw new IllegalArgumentException("the replica acknowledgement timeout (" + replicaTimeout
                        + ") must be shorter than the command timeout (" + commandTimeout + ")");
            }
            RedisKeys keys = RedisKeys.of(keyPrefix, channel);
            RedisRecords records = new RedisRecords(keys, notifications);
            SignalingWaiter waiter = new SignalingWaiter();
            StatefulConnection<byte[], byte[]> connection = null;
            try {
                RedisClusterCommands<byte[], byte[]> commands;
                ScriptCalls writes = null;
                if (client != null) {
                    StatefulRedisConnection<byte[], byte[]> standalone = client.connect(ByteArrayCodec.INSTANCE);
                    connection = standalone;
                    commands = standalone.sync();
                    if (replicas > 0) {
                        writes = ReplicaAcknowledgedCalls.standalone(standalone, replicas, replicaTimeout,
                                commandTimeout);
                    }
                } else {
                    StatefulRedisClusterConnection<byte[], byte[]> cluster = clusterClient.connect(ByteArrayCodec.INSTANCE);
                    connection = cluster;
                    commands = cluster.sync();
                    if (replicas > 0) {
                        writes = ReplicaAcknowledgedCalls.cluster(cluster, replicas, replicaTimeout, commandTimeout);
                    }
                }
                connection.setTimeout(commandTimeout);
                records.registerScripts(commands);
                EventSubscriber subscriber = null;
                if (notifications) {
                    RedisCodec<String, byte[]> codec = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
                    StatefulRedisPubSubConnection<String, byte[]> pubSub = client != null
                            ? client.connectPubSub(codec) : clusterClient.connectPubSub(codec);
                    subscriber = EventSubscriber.start(pubSub, keys.channel(), waiter, commandTimeout);
                }
                return new RedisIdempotencyStore(records, connection, commands, writes, waiter, subscriber);
            } catch (RuntimeException e) {
                if (connection != null) {
                    connection.close();
                }
                if (e instanceof RedisException) {
                    throw new IdempotencyStoreException("could not open the Redis idempotency store on " + keys + " ("
                            + e.getClass().getSimpleName() + "): " + e.getMessage(), e);
                }
                throw e;
            }
        }
    }
}
