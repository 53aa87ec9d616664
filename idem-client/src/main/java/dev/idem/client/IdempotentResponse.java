package dev.idem.client;

import java.net.http.HttpResponse;
import java.util.Objects;

/**
 * The answer to a keyed call made with {@link IdempotentHttpClient}: the response handed to the caller and how the
 * call went. Immutable when its response is.
 *
 * @param response the answer (the last one when every attempt was retried)
 * @param outcome  the key, the number of attempts and whether the answer was replayed
 */
public record IdempotentResponse<T>(HttpResponse<T> response, CallOutcome outcome) {

    public IdempotentResponse {
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(outcome, "outcome");
    }

    /** The answer's status code. */
    public int statusCode() {
        return response.statusCode();
    }

    /** The answer's body. */
    public T body() {
        return response.body();
    }
}
