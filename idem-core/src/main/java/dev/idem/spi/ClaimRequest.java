package dev.idem.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * What the engine asks a store to claim. All instants come from the engine's one clock.
 *
 * @param id          the record to claim
 * @param fingerprint the fingerprint of the request claiming it
 * @param now         the engine's current time: records with {@code expiresAt <= now} are absent, and
 *                    in-progress records with {@code leaseUntil <= now} and the same fingerprint may be
 *                    taken over
 * @param leaseUntil  the new owner's lease end
 * @param expiresAt   the new record's expiry
 */
public record ClaimRequest(RecordId id, Fingerprint fingerprint, Instant now, Instant leaseUntil, Instant expiresAt) {

    public ClaimRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (!leaseUntil.isAfter(now) || !expiresAt.isAfter(now)) {
            throw new IllegalArgumentException("leaseUntil and expiresAt must lie after now");
        }
    }
}
