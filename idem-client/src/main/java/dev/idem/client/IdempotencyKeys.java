package dev.idem.client;

import java.util.UUID;

/**
 * Idempotency keys on the wire: a fresh random key per logical call, and the structured-field string form of the
 * IETF draft ({@code Idempotency-Key: "..."}) in both directions. Stateless and thread-safe.
 */
public final class IdempotencyKeys {

    /** The request header that carries the key. */
    public static final String HEADER = "Idempotency-Key";
    /** The response header a server sets on a replayed answer. */
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";
    /** The longest key this client sends: the servers' usual limit (Idem's default is 255). */
    public static final int MAX_LENGTH = 255;

    private IdempotencyKeys() {
    }

    /** A new key: a version-4 UUID, 122 random bits from a cryptographically strong generator. */
    public static String random() {
        return UUID.randomUUID().toString();
    }

    /**
     * The header value for {@code key}: a structured-field string, quoted, with {@code "} and {@code \} escaped.
     *
     * @throws IllegalArgumentException when the key is empty, longer than {@link #MAX_LENGTH} or not printable ASCII
     */
    public static String headerValue(String key) {
        requireValid(key);
        StringBuilder value = new StringBuilder(key.length() + 2).append('"');
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '"' || c == '\\') {
                value.append('\\');
            }
            value.append(c);
        }
        return value.append('"').toString();
    }

    /**
     * The key in a header value the caller set: a structured-field string ({@code "abc"}) or a bare token
     * ({@code abc}).
     *
     * @throws IllegalArgumentException when the value is not a valid key in either form
     */
    public static String fromHeaderValue(String headerValue) {
        String value = headerValue.strip();
        if (value.length() < 2 || value.charAt(0) != '"' || value.charAt(value.length() - 1) != '"') {
            return requireValid(value);
        }
        StringBuilder key = new StringBuilder(value.length());
        for (int i = 1; i < value.length() - 1; i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                i++;
                if (i == value.length() - 1) {
                    throw new IllegalArgumentException("the quoted " + HEADER + " ends in an escape: " + headerValue);
                }
                c = value.charAt(i);
            } else if (c == '"') {
                throw new IllegalArgumentException("the quoted " + HEADER + " has an unescaped quote: " + headerValue);
            }
            key.append(c);
        }
        return requireValid(key.toString());
    }

    private static String requireValid(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("an idempotency key must not be empty");
        }
        if (key.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("an idempotency key has at most " + MAX_LENGTH + " characters, not "
                    + key.length());
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException("an idempotency key is printable ASCII; character " + i
                        + " is U+" + String.format("%04X", (int) c));
            }
        }
        return key;
    }
}
