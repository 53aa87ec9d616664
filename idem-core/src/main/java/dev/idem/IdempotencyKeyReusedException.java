package dev.idem;

import dev.idem.spi.RecordId;

/**
 * The key was already used for a request with another fingerprint (another payload). The action does
 * not run and the stored record is left alone. HTTP 422.
 */
public class IdempotencyKeyReusedException extends IdempotencyException {

    private static final long serialVersionUID = 1L;

    public IdempotencyKeyReusedException(RecordId id) {
        super("idempotency key '" + id.key() + "' was already used for action '" + id.action()
                + "' with a different request");
    }
}
