package dev.idem.spi;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Operators' access to a store's records, beside the engine's: read one record whatever its state (expired ones
 * too, until pruned), list the stuck ones, count them by status, delete one. Optional: a store that implements it
 * supports the Spring Boot starter's {@code idempotency} actuator endpoint. Thread-safe, as the store is.
 */
public interface IdempotencyStoreInspection {

    /**
     * A record as an operator sees it.
     *
     * @param record    the record (its result or error included)
     * @param createdAt when its current claim was made
     */
    record Inspected(StoredRecord record, Instant createdAt) {
    }

    /** The record of {@code id}, expired or not; empty when there is none. */
    Optional<Inspected> inspect(RecordId id);

    /**
     * In-progress records whose lease ended at {@code now}: their owner is presumed dead, and the key waits for a
     * retry to take it over. Oldest lease first, at most {@code limit}.
     */
    List<Inspected> stuck(Instant now, int limit);

    /** How many records there are per status, expired ones included until pruned. */
    Map<RecordStatus, Long> countByStatus();

    /** Deletes the record of {@code id} whatever its state; false when there was none. */
    boolean delete(RecordId id);
}
