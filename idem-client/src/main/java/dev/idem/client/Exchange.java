package dev.idem.client;

import java.io.IOException;

/**
 * One HTTP client's side of {@link IdempotentCalls#execute}: sends the keyed request and reads its answers. An
 * adapter implements it once per call; not shared between threads.
 *
 * @param <R> the client's response type
 */
public interface Exchange<R> {

    /**
     * Sends the keyed request once more (the body unchanged) and returns its answer. A 409 or 422 answer
     * ({@link RetryRules#needsProblem}) comes back with its body buffered, so {@link #body} can read it and the
     * caller still can after that.
     */
    R send() throws IOException, InterruptedException;

    /** The answer's status code. */
    int status(R response);

    /** The first value of a response header, or null. */
    String header(R response, String name);

    /** The buffered body of a 409 or 422 answer (asked for no other). */
    byte[] body(R response) throws IOException;

    /** Frees an answer that will not reach the caller (it is retried, or refused). */
    void discard(R response);

    /** Whether the caller cancelled the call: no further attempt starts. */
    default boolean cancelled() {
        return false;
    }
}
