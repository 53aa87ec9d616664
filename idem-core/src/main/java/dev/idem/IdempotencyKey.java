package dev.idem;

import java.util.Objects;

/**
 * A validated client idempotency key: non-empty, printable ASCII (0x21-0x7E) only, and no longer than
 * the configured maximum. Immutable and thread-safe.
 *
 * @param value the key as the client sent it (without structured-field quotes)
 */
public record IdempotencyKey(String value) {

    /** The default maximum key length. */
    public static final int DEFAULT_MAX_LENGTH = 255;

    public IdempotencyKey {
        check(value, Integer.MAX_VALUE); // the length limit is the caller's, checked in of(raw, maxLength)
    }

    /** Validates {@code raw} against the default maximum length of 255. */
    public static IdempotencyKey of(String raw) {
        return of(raw, DEFAULT_MAX_LENGTH);
    }

    /**
     * Validates {@code raw}.
     *
     * @throws InvalidIdempotencyKeyException if it is null, empty, too long or has a character outside
     *                                        0x21-0x7E
     */
    public static IdempotencyKey of(String raw, int maxLength) {
        check(raw, maxLength);
        return new IdempotencyKey(raw);
    }

    private static void check(String raw, int maxLength) {
        if (raw == null || raw.isEmpty()) {
            throw new InvalidIdempotencyKeyException("the idempotency key is empty");
        }
        if (raw.length() > maxLength) {
            throw new InvalidIdempotencyKeyException(
                    "the idempotency key has " + raw.length() + " characters; at most " + maxLength + " are allowed");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                throw new InvalidIdempotencyKeyException(
                        "the idempotency key has a character outside printable ASCII (0x21-0x7E) at index " + i);
            }
        }
    }

    @Override
    public String toString() {
        return Objects.toString(value);
    }
}
