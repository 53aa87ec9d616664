package dev.idem.client;

import java.time.Duration;

/**
 * How one keyed call ended. Immutable.
 *
 * @param method   the request method
 * @param key      the idempotency key every attempt carried
 * @param attempts how many attempts were sent (1 when the first one answered)
 * @param status   the status of the answer handed to the caller, or 0 when the call ended without one (every
 *                 attempt failed, or the key was refused)
 * @param replayed whether that answer was a replay of a stored one ({@code Idempotent-Replayed: true})
 * @param elapsed  from the first attempt to the end of the call, waits included
 */
public record CallOutcome(String method, String key, int attempts, int status, boolean replayed, Duration elapsed) {

    /** Whether the caller got an answer (else an exception). */
    public boolean answered() {
        return status != 0;
    }
}
