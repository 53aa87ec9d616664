package dev.idem.redis;

import dev.idem.spi.RecordId;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The store's key layout: one hash per record at {@code <prefix>{<digest>}}, where the digest is
 * {@link RecordId#digest()} (SHA-256 over the length-prefixed scope, action and key). The digest is
 * unambiguous whatever characters the parts contain ({@code :}, braces, multi-byte text), keeps every key
 * short however long the client's key is, and, as the hash tag between the braces, pins each record to one
 * cluster slot. The raw parts are kept as fields of the hash for people reading the data. Prefixes and the
 * channel are validated so they can never change the hash tag. Immutable and thread-safe.
 */
final class RedisKeys {

    static final String DEFAULT_PREFIX = "idem:";
    static final String CHANNEL_SUFFIX = "events";

    /** Printable ASCII without spaces or braces (a brace would move the hash tag); at most 128 characters. */
    private static final Pattern NAME = Pattern.compile("[\\x21-\\x7a\\x7c\\x7e]{1,128}");

    private final String prefix;
    private final String channel;
    private final ThreadLocal<Digested> lastDigest = new ThreadLocal<>();

    private RedisKeys(String prefix, String channel) {
        this.prefix = prefix;
        this.channel = channel;
    }

    /**
     * @param channel the pub/sub channel, or null for {@code <prefix>events}
     * @throws IllegalArgumentException for an invalid prefix or channel
     */
    static RedisKeys of(String prefix, String channel) {
        validatePrefix(prefix);
        String effective = channel == null ? prefix + CHANNEL_SUFFIX : channel;
        validateChannel(effective);
        return new RedisKeys(prefix, effective);
    }

    static void validatePrefix(String prefix) {
        if (prefix == null || !NAME.matcher(prefix).matches()) {
            throw new IllegalArgumentException("invalid key prefix '" + prefix + "': use 1 to 128 printable ASCII "
                    + "characters without spaces, '{' or '}' (braces would move the cluster hash tag)");
        }
    }

    static void validateChannel(String channel) {
        if (channel == null || !NAME.matcher(channel).matches()) {
            throw new IllegalArgumentException("invalid channel '" + channel + "': use 1 to 128 printable ASCII "
                    + "characters without spaces, '{' or '}'");
        }
    }

    String prefix() {
        return prefix;
    }

    String channel() {
        return channel;
    }

    /** The key of the hash holding {@code id}'s record. */
    String key(RecordId id) {
        return prefix + "{" + digest(id) + "}";
    }

    /**
     * {@link RecordId#digest()}, hashed once per lifecycle: the claim, the completion and its wake-up message all
     * name the engine's one {@code RecordId} instance on one thread, so this thread's last digest is kept for it.
     */
    String digest(RecordId id) {
        Digested last = lastDigest.get();
        if (last != null && last.id() == id) {
            return last.digest();
        }
        String digest = id.digest();
        lastDigest.set(new Digested(id, digest));
        return digest;
    }

    private record Digested(RecordId id, String digest) {
    }

    byte[] keyBytes(RecordId id) {
        return key(id).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return prefix + "{...} (channel " + channel + ")";
    }
}
