package dev.idem.spi;

import java.util.Objects;

/**
 * The answer to {@link IdempotencyStore#claim}: either the caller now owns the record, or it gets the
 * record that already exists (completed, failed, or in progress under a live lease, or with another
 * fingerprint).
 */
public sealed interface ClaimResult {

    /**
     * The caller won: it must run the action and then complete, fail or release with {@code token}.
     *
     * @param token    the fencing token for every later write
     * @param takeover true when the record existed (expired, or an in-progress record whose lease ended)
     *                 and was taken over rather than newly inserted
     */
    record Claimed(OwnerToken token, boolean takeover) implements ClaimResult {
        public Claimed {
            Objects.requireNonNull(token, "token");
        }
    }

    /** Someone else holds or finished the key; the caller must not run the action. */
    record Existing(StoredRecord record) implements ClaimResult {
        public Existing {
            Objects.requireNonNull(record, "record");
        }
    }
}
