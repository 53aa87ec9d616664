package dev.idem.spi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The SHA-256 digest of a canonical request. A key reused with a request of another fingerprint is
 * refused ({@link dev.idem.IdempotencyKeyReusedException}). Immutable and thread-safe.
 *
 * @param hex 64 lower-case hex characters
 */
public record Fingerprint(String hex) {

    /** The fingerprint of a request with no payload. */
    public static final Fingerprint EMPTY = of(new byte[0]);

    public Fingerprint {
        Objects.requireNonNull(hex, "hex");
        if (!isLowerHex64(hex)) {
            throw new IllegalArgumentException("a fingerprint is 64 lower-case hex characters, got: " + hex);
        }
    }

    /** The check of every fingerprint a store reads, without compiling a regular expression each time. */
    private static boolean isLowerHex64(String hex) {
        if (hex.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = hex.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    /** The fingerprint of one payload. */
    public static Fingerprint of(byte[] payload) {
        MessageDigest sha = sha256();
        sha.update(Objects.requireNonNull(payload, "payload"));
        return new Fingerprint(HexFormat.of().formatHex(sha.digest()));
    }

    /**
     * The fingerprint of several parts (for example method, path and body). Each part is length-prefixed,
     * so {@code ("ab","c")} and {@code ("a","bc")} differ.
     */
    public static Fingerprint ofParts(byte[]... parts) {
        MessageDigest sha = sha256();
        for (byte[] part : parts) {
            int n = part.length;
            sha.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
            sha.update(part);
        }
        return new Fingerprint(HexFormat.of().formatHex(sha.digest()));
    }

    /** Like {@link #ofParts(byte[]...)} over the UTF-8 bytes of each string. */
    public static Fingerprint ofStrings(String... parts) {
        byte[][] bytes = new byte[parts.length][];
        for (int i = 0; i < parts.length; i++) {
            bytes[i] = parts[i].getBytes(StandardCharsets.UTF_8);
        }
        return ofParts(bytes);
    }

    /** The digest as unpadded base64url (43 characters): short enough for a 64-character key column. */
    public String base64Url() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(HexFormat.of().parseHex(hex));
    }

    /**
     * A new SHA-256 digest (every JDK has one); for the engine's derived keys and record digests too. A copy of one
     * kept instance: {@code MessageDigest.getInstance} looks its provider up by reflection on every call, which
     * cost about a tenth of the JVM's time in a Redis lifecycle.
     */
    public static MessageDigest sha256() {
        try {
            return (MessageDigest) Sha256.PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) { // a provider whose digest cannot be copied: look it up each time
            return newSha256();
        }
    }

    /** Initialised on first use, so the constants above (built with {@link #sha256()}) find it ready. */
    private static final class Sha256 {
        static final MessageDigest PROTOTYPE = newSha256();
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    @Override
    public String toString() {
        return "sha256:" + hex;
    }
}
