package dev.idem;

import java.util.Map;

/**
 * Marks an exception as deterministic (validation, not found, declined): under the default
 * {@link ErrorPolicy} it is stored and every retry of the same key gets the same error without running
 * the action again.
 *
 * <p>To be rethrown as its own type, the exception class needs a public constructor taking
 * {@code (String code, String message, Map<String, String> details)}, {@code (String code, String message)}
 * or {@code (String message)}; otherwise retries get a {@link ReplayedErrorException} with the same code,
 * message and details.
 */
public interface ReplayableError {

    /** A stable, machine-readable code such as {@code NOT_FOUND}. */
    String errorCode();

    /** The exception's message. */
    String getMessage();

    /** Extra context replayed with the error; empty by default. */
    default Map<String, String> errorDetails() {
        return Map.of();
    }
}
