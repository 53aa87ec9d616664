package dev.idem;

/**
 * The result of one {@code execute} call and how it was obtained. Immutable.
 *
 * @param value    the action's result (maybe replayed); may be null
 * @param replayed true if the action did not run in this call and {@code value} came from the store
 * @param key      the key that protected the call, or null when it ran unprotected (pass-through)
 * @param <T>      the result type
 */
public record IdempotentOutcome<T>(T value, boolean replayed, String key) {

    static <T> IdempotentOutcome<T> executed(T value, String key) {
        return new IdempotentOutcome<>(value, false, key);
    }

    static <T> IdempotentOutcome<T> replayed(T value, String key) {
        return new IdempotentOutcome<>(value, true, key);
    }
}
