package dev.idem.spi;

import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The fencing token a store hands to the caller that wins a claim. Every write after the claim names it,
 * so an owner whose lease was taken over can no longer complete, fail, release or renew the record.
 * Immutable and thread-safe.
 *
 * @param value an opaque string, unique among the store's claims (at most 64 characters)
 */
public record OwnerToken(String value) {

    public OwnerToken {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty() || value.length() > 64) {
            throw new IllegalArgumentException("owner token must have 1..64 characters");
        }
    }

    /**
     * A new random token: 128 random bits in UUID form. Tokens must be unique, not secret (only code holding the
     * store can use one), so a fast thread-local generator serves instead of {@code SecureRandom}.
     */
    public static OwnerToken random() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return new OwnerToken(new UUID(random.nextLong(), random.nextLong()).toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
