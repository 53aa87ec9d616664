package dev.idem.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * A snapshot of one record as a store read it. Immutable and thread-safe. The owner token is deliberately
 * absent: only the caller that won the claim holds it.
 *
 * @param id          the record's identity
 * @param fingerprint the fingerprint of the request that created the record
 * @param status      the record's state
 * @param leaseUntil  while {@code IN_PROGRESS}, the instant the owner's lease ends
 * @param expiresAt   the instant after which the record counts as absent
 * @param result      the stored result, present exactly when {@code COMPLETED}
 * @param error       the stored error, present exactly when {@code FAILED}
 */
public record StoredRecord(
        RecordId id,
        Fingerprint fingerprint,
        RecordStatus status,
        Instant leaseUntil,
        Instant expiresAt,
        StoredResult result,
        StoredError error) {

    public StoredRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if ((status == RecordStatus.COMPLETED) != (result != null)) {
            throw new IllegalArgumentException("a result is present exactly when the record is COMPLETED");
        }
        if ((status == RecordStatus.FAILED) != (error != null)) {
            throw new IllegalArgumentException("an error is present exactly when the record is FAILED");
        }
    }

    /** True when an in-progress record's lease has ended at {@code now} (its owner is presumed dead). */
    public boolean leaseExpiredAt(Instant now) {
        return status == RecordStatus.IN_PROGRESS && !leaseUntil.isAfter(now);
    }

    /** True when the record counts as absent at {@code now}. */
    public boolean expiredAt(Instant now) {
        return !expiresAt.isAfter(now);
    }
}
