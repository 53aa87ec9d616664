package dev.idem.client;

import java.util.concurrent.CompletableFuture;

/**
 * An {@link Exchange} whose client can also send without blocking, for {@link IdempotentCalls#executeAsync}. An
 * adapter implements it once per call; not shared between threads.
 *
 * @param <R> the client's response type
 */
public interface AsyncExchange<R> extends Exchange<R> {

    /**
     * Sends the keyed request once more (the body unchanged), as {@link #send} does, without blocking: the future
     * completes with the answer, or fails with the attempt's {@link java.io.IOException}.
     */
    CompletableFuture<R> sendAsync();
}
