package dev.idem.spi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Identity of one idempotency record: the owner ({@code scope}), the operation ({@code action}) and the
 * client's key. Two records that differ in any part are unrelated, so one user can never replay
 * another's result. Immutable and thread-safe.
 *
 * @param scope  the owner of the key, e.g. a user or tenant id; never null (may be empty)
 * @param action the operation name, e.g. {@code practice.start}; never null or blank
 * @param key    the validated idempotency key; never null or empty
 */
public record RecordId(String scope, String action, String key) {

    public RecordId {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(key, "key");
        if (action.isBlank()) {
            throw new IllegalArgumentException("action must not be blank");
        }
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty");
        }
    }

    /**
     * A short, stable digest of this id (64 hex characters), for channels and logs where the raw parts
     * could be long or sensitive. Equal ids always give equal digests.
     */
    public String digest() {
        MessageDigest sha = Fingerprint.sha256();
        byte[] length = new byte[4];
        for (String part : new String[] {scope, action, key}) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            length[0] = (byte) (bytes.length >>> 24);
            length[1] = (byte) (bytes.length >>> 16);
            length[2] = (byte) (bytes.length >>> 8);
            length[3] = (byte) bytes.length;
            sha.update(length);
            sha.update(bytes);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    @Override
    public String toString() {
        return scope + "/" + action + "/" + key;
    }
}
