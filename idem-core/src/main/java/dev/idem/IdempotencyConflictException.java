package dev.idem;

import dev.idem.spi.RecordId;
import java.time.Duration;

/**
 * A request with the same key is still in progress and did not finish within {@code maxWait}. Nothing
 * was run and nothing was written; retrying after {@link #retryAfter()} is safe. HTTP 409.
 */
public class IdempotencyConflictException extends IdempotencyException {

    private static final long serialVersionUID = 1L;

    private final Duration retryAfter;

    public IdempotencyConflictException(RecordId id, Duration retryAfter) {
        this(id, retryAfter, null);
    }

    public IdempotencyConflictException(RecordId id, Duration retryAfter, Throwable cause) {
        super("a request with idempotency key '" + id.key() + "' for action '" + id.action()
                + "' is still in progress", cause);
        this.retryAfter = retryAfter;
    }

    /** A sensible delay before retrying (at least one second). */
    public Duration retryAfter() {
        return retryAfter;
    }
}
