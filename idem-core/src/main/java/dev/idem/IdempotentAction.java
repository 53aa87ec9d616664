package dev.idem;

/**
 * The state-changing work to run at most once per key. It may throw anything: see {@link ErrorPolicy}
 * for what happens to the key then.
 *
 * @param <T> the result type, replayed to every retry
 */
@FunctionalInterface
public interface IdempotentAction<T> {
    T run() throws Exception;
}
