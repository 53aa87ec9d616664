package dev.idem.redis;

import dev.idem.IdempotencyStoreException;
import dev.idem.spi.ClaimRequest;
import dev.idem.spi.ClaimResult;
import dev.idem.spi.Fingerprint;
import dev.idem.spi.OwnerToken;
import dev.idem.spi.RecordId;
import dev.idem.spi.RecordStatus;
import dev.idem.spi.StoredError;
import dev.idem.spi.StoredRecord;
import dev.idem.spi.StoredResult;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's Redis commands, each operation one round trip on the connection it is given: {@code find} is
 * one {@code HMGET}; claim, complete, fail, release and renew are each one Lua script (followed by a {@code WAIT}
 * when the {@link ScriptCalls} given ask for replicas' acknowledgement), so every check and the
 * write it guards happen atomically on the server. Every write after the claim is guarded by the owner token
 * and by {@code status = IN_PROGRESS}. Instants are stored as epoch milliseconds from the engine's clock.
 * Immutable and thread-safe (Lettuce connections are).
 */
final class RedisRecords {

    private static final Logger log = LoggerFactory.getLogger(RedisRecords.class);

    private static final long CLAIMED = 1;
    private static final long TAKEN_OVER = 2;
    private static final byte[] ONE = {'1'};
    private static final byte[] ZERO = {'0'};
    private static final byte[] MAX_CARRIED_BODY = Long.toString(WakeUpMessage.MAX_CARRIED_BODY_BYTES)
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[][] FIELDS = bytes("fingerprint", "status", "lease_until", "expires_at",
            "content_type", "body");

    private final RedisKeys keys;
    private final byte[] channel;
    private final LuaScript claim = LuaScript.load("claim");
    private final LuaScript finish = LuaScript.load("finish");
    private final LuaScript release = LuaScript.load("release");
    private final LuaScript renew = LuaScript.load("renew");
    private final LuaScript flagWaiter = LuaScript.load("flag_waiter");

    /** @param notify whether finishing and releasing publish the record's digest on the keys' channel */
    RedisRecords(RedisKeys keys, boolean notify) {
        this.keys = keys;
        this.channel = notify ? utf8(keys.channel()) : new byte[0];
    }

    RedisKeys keys() {
        return keys;
    }

    List<LuaScript> scripts() {
        return List.of(claim, finish, release, renew, flagWaiter);
    }

    /** Loads every script into the server's cache; also proves the server is reachable and the scripts compile. */
    void registerScripts(RedisClusterCommands<byte[], byte[]> redis) {
        scripts().forEach(script -> script.register(redis));
    }

    ClaimResult claim(ScriptCalls redis, ClaimRequest request) {
        RecordId id = request.id();
        OwnerToken token = OwnerToken.random();
        List<Object> reply = redis.run(claim, ScriptOutputType.MULTI, RedisRecords::claimed, keys.keyBytes(id),
                millis(request.now()), utf8(request.fingerprint().hex()), utf8(token.value()),
                millis(request.leaseUntil()), millis(request.expiresAt()),
                utf8(id.scope()), utf8(id.action()), utf8(id.key()));
        if (claimed(reply)) {
            return new ClaimResult.Claimed(token, (Long) reply.get(0) == TAKEN_OVER);
        }
        return new ClaimResult.Existing(decode(id, (byte[]) reply.get(1), (byte[]) reply.get(2),
                (byte[]) reply.get(3), (byte[]) reply.get(4), (byte[]) reply.get(5), (byte[]) reply.get(6)));
    }

    Optional<StoredRecord> find(RedisClusterCommands<byte[], byte[]> redis, RecordId id, Instant now) {
        List<KeyValue<byte[], byte[]>> fields = redis.hmget(keys.keyBytes(id), FIELDS);
        byte[][] v = new byte[FIELDS.length][];
        for (int i = 0; i < fields.size() && i < v.length; i++) {
            v[i] = fields.get(i).getValueOrElse(null);
        }
        if (v[1] == null) {
            return Optional.empty(); // absent, or already collected by its native expiry
        }
        StoredRecord record = decode(id, v[0], v[1], v[2], v[3], v[4], v[5]);
        return record.expiredAt(now) ? Optional.empty() : Optional.of(record);
    }

    /**
     * Completes the owner's record. Returns null when the token does not own the record in progress; else what
     * builds the record as written for this instance's waiters (decoding only when called), which, unless
     * {@code wanted} (someone in this JVM may wait), builds nothing and saves the script a read.
     */
    Function<RecordId, StoredRecord> complete(ScriptCalls redis, RecordId id, OwnerToken token, StoredResult result,
                                              boolean wanted) {
        return finish(redis, id, token, result, null, wanted);
    }

    /** Fails the owner's record; returns as {@link #complete}. */
    Function<RecordId, StoredRecord> fail(ScriptCalls redis, RecordId id, OwnerToken token, StoredError error,
                                          boolean wanted) {
        return finish(redis, id, token, null, error, wanted);
    }

    private Function<RecordId, StoredRecord> finish(ScriptCalls redis, RecordId id, OwnerToken token,
                                                    StoredResult result, StoredError error, boolean wanted) {
        RecordStatus status = result != null ? RecordStatus.COMPLETED : RecordStatus.FAILED;
        List<Object> reply = redis.run(finish, ScriptOutputType.MULTI, RedisRecords::wrote, keys.keyBytes(id),
                utf8(token.value()), utf8(status.name()),
                utf8(result != null ? result.contentType() : StoredError.CONTENT_TYPE),
                result != null ? result.body() : error.encode(), channel, utf8(keys.digest(id)), MAX_CARRIED_BODY,
                wanted ? ONE : ZERO);
        if (!wrote(reply)) {
            return null;
        }
        if (reply.size() < 4) {
            return written -> null;
        }
        return written -> {
            try {
                return new StoredRecord(id, new Fingerprint(text((byte[]) reply.get(1))), status,
                        Instant.ofEpochMilli(Long.parseLong(text((byte[]) reply.get(2)))),
                        Instant.ofEpochMilli(Long.parseLong(text((byte[]) reply.get(3)))), result, error);
            } catch (RuntimeException e) { // the write stands; the waiters read the hash instead
                log.debug("Could not read the finished record of {} from the script's reply", id, e);
                return null;
            }
        };
    }

    /** Whether a finish script's reply says it wrote. */
    private static boolean wrote(List<Object> reply) {
        return reply != null && !reply.isEmpty() && Long.valueOf(1).equals(reply.get(0));
    }

    boolean release(ScriptCalls redis, RecordId id, OwnerToken token) {
        Long deleted = redis.run(release, ScriptOutputType.INTEGER, RedisRecords::one, keys.keyBytes(id),
                utf8(token.value()), channel, utf8(keys.digest(id)));
        return one(deleted);
    }

    boolean renewLease(ScriptCalls redis, RecordId id, OwnerToken token, Instant leaseUntil) {
        Long renewed = redis.run(renew, ScriptOutputType.INTEGER, RedisRecords::one, keys.keyBytes(id),
                utf8(token.value()), millis(leaseUntil));
        return one(renewed);
    }

    /**
     * Marks an in-progress record as waited for, so its owner publishes when it finishes.
     *
     * @return false when the record is no longer in progress: nothing will be published, look again now
     */
    boolean flagWaiter(ScriptCalls redis, RecordId id) {
        Long flagged = redis.run(flagWaiter, ScriptOutputType.INTEGER, RedisRecords::one, keys.keyBytes(id));
        return one(flagged);
    }

    /** Whether a claim's reply says it wrote a new claim (fresh or taking an ended lease over). */
    private static boolean claimed(List<Object> reply) {
        long outcome = (Long) reply.get(0);
        return outcome == CLAIMED || outcome == TAKEN_OVER;
    }

    /** Whether an integer reply is 1: the script wrote. */
    private static boolean one(Long reply) {
        return reply != null && reply == 1;
    }

    /** A record from its hash fields' values (a hash read, or a message's carried copy). */
    static StoredRecord decode(RecordId id, byte[] fingerprint, byte[] status, byte[] leaseUntil,
                                       byte[] expiresAt, byte[] contentType, byte[] body) {
        try {
            RecordStatus state = RecordStatus.valueOf(text(status));
            StoredResult result = null;
            StoredError error = null;
            if (state == RecordStatus.COMPLETED) {
                result = new StoredResult(body, text(contentType));
            } else if (state == RecordStatus.FAILED) {
                error = StoredError.decode(body);
            }
            return new StoredRecord(id, new Fingerprint(text(fingerprint)), state,
                    Instant.ofEpochMilli(Long.parseLong(text(leaseUntil))),
                    Instant.ofEpochMilli(Long.parseLong(text(expiresAt))), result, error);
        } catch (RuntimeException e) {
            throw new IdempotencyStoreException("the Redis record of " + id + " is corrupt: " + e.getMessage(), e);
        }
    }

    private static String text(byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("a field is missing");
        }
        return new String(value, StandardCharsets.UTF_8);
    }

    private static byte[] millis(Instant instant) {
        return Long.toString(instant.toEpochMilli()).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[][] bytes(String... strings) {
        byte[][] out = new byte[strings.length][];
        for (int i = 0; i < strings.length; i++) {
            out[i] = utf8(strings[i]);
        }
        return out;
    }
}
