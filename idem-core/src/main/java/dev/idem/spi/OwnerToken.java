package dev.idem.spi;

import java.util.Objects;
import java.util.UUID;

/**
 * The fencing token a store hands to the caller that wins a claim. Every write after the claim names it,
 * so an owner whose lease was taken over can no longer complete, fail, release or renew the record.
 * Immutable and thread-safe.
 *
 * @param value an opaque, unguessable string (at most 64 characters)
 */
public record OwnerToken(String value) {

    public OwnerToken {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty() || value.length() > 64) {
            throw new IllegalArgumentException("owner token must have 1..64 characters");
        }
    }

    /** A new random token (a type-4 UUID). */
    public static OwnerToken random() {
        return new OwnerToken(UUID.randomUUID().toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
